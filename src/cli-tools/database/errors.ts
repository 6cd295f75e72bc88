/** A refusal or failure the operator can act on: printed as is, with its exit code. */
export class ToolError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

/** Exit code 2: the tool refused (usage, a guard); 1: it tried and failed. */
export const refuse = (message: string) => new ToolError(message, 2);
