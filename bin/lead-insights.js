#!/usr/bin/env -S node --max-semi-space-size=1
// A small young generation: the program is idle between polls most of the time, and this keeps
// its resident memory low at little cost (see README, Performance). Same flag as `npm start`.
import "../dist/app/main.js"
