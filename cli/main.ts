import { errorMessage, exitCodeOf } from './exit-codes';
import { secopsProgram } from './program';

/** `secops`: parses, runs one command, and exits with the CLI's code for how it ended (cli/exit-codes.ts). */
secopsProgram()
  .parseAsync()
  .catch((error: unknown) => {
    const message = errorMessage(error);
    if (message) console.error(message);
    process.exit(exitCodeOf(error));
  });
