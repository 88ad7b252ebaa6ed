/** The app's callback configuration (wecom-protocol.md §6.1): where WeCom posts and the two shared secrets. */
export interface CallbackSettings {
  /** http(s) URL that answers GET verification and receives POSTs. */
  url: string;
  /** Signature key: letters and digits, ≤32 characters. Never logged. */
  token: string;
  /** 43 characters of [A-Za-z0-9]; Base64 of the AES key without its "=". Never logged. */
  encodingAESKey: string;
}

/** Timing of deliveries. Defaults are WeCom's; tests shorten them. */
export interface DeliveryTiming {
  /** How long WeCom waits for each POST before dropping the connection (§6.7: 5 s). */
  timeoutMs: number;
  /** Attempts in total for one event on a non-200 or a timeout (§6.7: 3). */
  attempts: number;
  /** Pause between attempts. WeCom does not document it; a short pause keeps sendCallback quick. */
  retryDelayMs: number;
  /** How long the app has to answer URL verification with the echostr (§6.2: 1 s). */
  verifyTimeoutMs: number;
}

export const DEFAULT_DELIVERY_TIMING: DeliveryTiming = { timeoutMs: 5000, attempts: 3, retryDelayMs: 1000, verifyTimeoutMs: 1000 };
