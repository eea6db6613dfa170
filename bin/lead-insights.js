#!/usr/bin/env -S MALLOC_ARENA_MAX=2 MALLOC_TRIM_THRESHOLD_=131072 node --max-semi-space-size=1
// A small young generation: the program is idle between polls most of the time, and this keeps
// its resident memory low at little cost; glibc's allocator keeps two arenas and gives freed memory
// back (the PDF thread's would stay with the process). See README, Performance. As `npm start`.
import "../dist/app/main.js"
