#ifndef TASKLOG_CLMDB_SHIM_H
#define TASKLOG_CLMDB_SHIM_H

#include <lmdb.h>

#endif
