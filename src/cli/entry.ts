/** The entry of `dist/cli.js` (the `kubereach` bin). */
import { processIo, report, run } from './main.ts';

// Bad input must never end in a stack trace: whatever escapes is one line, exit status 2.
process.on('unhandledRejection', (reason) => {
  void report(reason, processIo()).then((status) => process.exit(status));
});

void run();
