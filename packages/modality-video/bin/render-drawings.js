#!/usr/bin/env node
// `render-drawings` (npm run render:drawings): render Omniglot stroke archives to drawing videos.
// A committed shim, so npm can link it before the TypeScript is built.
import { renderDrawingsMain } from '../dist/render/render-drawings.js';

process.exitCode = await renderDrawingsMain(process.argv.slice(2));
