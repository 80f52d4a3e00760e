/** Argument parsing shared by every subcommand. Runtime: plain Node. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake in how the command was called: printed without a stack, exit code 2. */
export class UsageError extends Error {}

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
