/**
 * Cooperative scheduling of long work (parsing and analysing documents) on the server's one
 * thread. Each job is a generator whose steps are small (one YAML document, or a few kilobytes of
 * one); the slicer runs the steps of every job in turn, round-robin, for at most `budgetMs` per
 * turn of the event loop, then yields to it (setImmediate), so requests are answered between
 * turns however many documents are being validated.
 */
import { performance } from 'node:perf_hooks';

interface Job {
  /** Runs one step; true when the job is over (finished, failed or abandoned). */
  step(): boolean;
}

export class Slicer {
  private readonly jobs: Job[] = [];
  private scheduled = false;
  private readonly budgetMs: number;

  constructor(budgetMs: number) {
    this.budgetMs = budgetMs;
  }

  /** Runs the generator to its end; undefined when `stale()` turns true first (checked before each step). */
  run<T>(steps: Generator<void, T>, stale: () => boolean): Promise<T | undefined> {
    return new Promise<T | undefined>((resolve, reject) => {
      this.jobs.push({
        step: () => {
          if (stale()) {
            resolve(undefined);
            return true;
          }
          try {
            const result = steps.next();
            if (result.done) {
              resolve(result.value);
              return true;
            }
            return false;
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
            return true;
          }
        },
      });
      this.schedule();
    });
  }

  /** Jobs not finished yet. */
  get pending(): number {
    return this.jobs.length;
  }

  private schedule(): void {
    if (!this.scheduled) {
      this.scheduled = true;
      // The next turn waits two extra turns of the event loop. vscode-jsonrpc hands each incoming
      // message to its handler through setImmediate, and each response to its writer through
      // another: with those two hops ahead of it, a request that arrives while documents are
      // being parsed is answered before the parsing takes its next slice.
      setImmediate(() => setImmediate(() => setImmediate(() => this.turn())));
    }
  }

  private turn(): void {
    this.scheduled = false;
    const start = performance.now();
    let index = 0;
    while (this.jobs.length > 0 && performance.now() - start < this.budgetMs) {
      index %= this.jobs.length;
      if (this.jobs[index]!.step()) {
        this.jobs.splice(index, 1);
      } else {
        index++;
      }
    }
    if (this.jobs.length > 0) {
      this.schedule();
    }
  }
}
