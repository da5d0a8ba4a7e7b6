// Machine names are parsed once, at the boundary, before any filesystem call:
// a name becomes a directory, so "../x", "" or "/etc" must never get that far.
import { InvalidMachineNameError } from './errors.js';

declare const brand: unique symbol;
/** A validated machine name: safe to use as one path component. */
export type MachineName = string & { readonly [brand]: 'MachineName' };

const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export function parseMachineName(input: unknown): MachineName {
  if (typeof input !== 'string') throw new InvalidMachineNameError(input, 'must be a string');
  if (input.length === 0) throw new InvalidMachineNameError(input, 'must not be empty');
  if (input.length > 63) throw new InvalidMachineNameError(input, `is ${input.length} characters long; the limit is 63`);
  if (input.includes('..')) throw new InvalidMachineNameError(input, 'must not contain ".."');
  if (!NAME.test(input)) {
    throw new InvalidMachineNameError(input, 'use lowercase ASCII letters, digits, ".", "_" and "-", starting with a letter or digit');
  }
  return input as MachineName;
}

export function isMachineName(input: unknown): input is MachineName {
  try {
    parseMachineName(input);
    return true;
  } catch {
    return false;
  }
}
