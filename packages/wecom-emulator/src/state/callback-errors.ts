/** sendCallback before a deliverer is registered, or with no callback URL configured. */
export class CallbackNotConfiguredError extends Error {
  constructor(message = 'callback delivery not configured: the emulator has no callback deliverer registered (src/callbacks/plugin.ts)') {
    super(message);
    this.name = 'CallbackNotConfiguredError';
  }
}
