#!/usr/bin/env node
import { main } from '../dist/index.js';

main(process.argv).catch((err) => {
  console.error(`openfarm: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
