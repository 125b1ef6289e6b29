#!/usr/bin/env node
// `pnpm bench ...`: bundles bench/src/cli.ts into bench/.build/bench.mjs and runs it (bundle.mjs).
// Dawn, tfjs, esbuild and puppeteer stay external (loaded from node_modules at run time).
import { bundleAndRun } from './bundle.mjs';

await bundleAndRun('cli.ts', 'bench.mjs', ['webgpu', '@tensorflow/*', 'esbuild', 'puppeteer-core']);
