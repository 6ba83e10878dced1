#!/usr/bin/env node
// The `fewshot` command. A committed shim, so npm can link it at install time before the
// TypeScript is built (`prepare: tsc -b` builds it right after).
import '../dist/cli/bin.js';
