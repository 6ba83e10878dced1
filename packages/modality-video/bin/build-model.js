#!/usr/bin/env node
// `build-model`: save the model an experiment describes without training it (e.g. a video model whose
// per-frame CNN is a trained image model), then evaluate it. A committed shim over the built package.
import { buildModelMain } from '../dist/build-model.js';

process.exitCode = await buildModelMain(process.argv.slice(2));
