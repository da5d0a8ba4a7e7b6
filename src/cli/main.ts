#!/usr/bin/env node
// The `hostwire` command.
import { CommanderError } from 'commander';
import { USAGE_ERROR } from './options.js';
import { errorText, printError } from './output.js';
import { createProgram } from './program.js';

try {
  await createProgram().parseAsync();
} catch (err) {
  if (err instanceof CommanderError) {
    // Commander has printed the reason. Help and --version exit 0; every
    // usage error (bad or missing option, unknown command) exits 2.
    process.exitCode = err.exitCode === 0 ? 0 : USAGE_ERROR;
  } else {
    printError(errorText(err as Error));
    process.exitCode = 1;
  }
}
