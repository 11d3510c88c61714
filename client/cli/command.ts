/** One `outreach` sub-command. `run` returns the process exit code (0 on success). */
export interface Command {
  /** The word(s) typed after `outreach`, e.g. "schedule" or "template lint". */
  name: string;
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number>;
}
