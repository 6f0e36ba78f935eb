#ifndef TASKLOG_CZSTD_SHIM_H
#define TASKLOG_CZSTD_SHIM_H

#include <zstd.h>

#endif
