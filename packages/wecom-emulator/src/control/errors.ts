/**
 * The control API's input error (HTTP 400 `{"error"}`): its own module, so the parts the control API calls
 * (e.g. the callback events, which extend it) can import it without importing the control API itself.
 */
export class ControlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ControlError';
  }
}
