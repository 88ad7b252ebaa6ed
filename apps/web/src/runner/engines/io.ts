/** What an engine may do with the outside world: say the program has started, and write its output. */
export interface EngineIO {
  /** The engine is loaded and the program begins: the iframe starts the time limit here. Call once. */
  started(): void;
  /** Program output (stdout and stderr interleaved, in order). */
  write(text: string): void;
}
