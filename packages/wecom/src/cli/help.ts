/** The `wecom` CLI's help texts. The command forms are a public contract (issue 2 item 11). */

export const MAIN_HELP = `wecom — talk to WeCom (企业微信) from the shell, with the @pairview/wecom SDK

Usage:
  wecom send text --to u1,u2 [--party 1,2] [--tag 3] "content"
  wecom send markdown --to u1 [--party 1,2] [--tag 3] "content"
  wecom send --json message.json          a message/send body (WeCom's JSON); agentid is filled in
  wecom recall MSGID
  wecom user get USERID
  wecom user list --department ID [--simple]
  wecom department list [--id ID]
  wecom callback verify-url --msg-signature S --timestamp T --nonce N --echostr E
  wecom callback decrypt --msg-signature S --timestamp T --nonce N [--json] < body.xml
  wecom jssdk sign --url URL [--agent]

Send options:
  --to LIST               member userids, comma-separated ("@all" for everyone the app can see)
  --party LIST            department ids, comma-separated
  --tag LIST              tag ids, comma-separated
  --duplicate-check       let WeCom drop an identical send within 30 minutes (also makes retries safe)
  --safe                  confidential message: no sharing, watermark

Environment (also read from ./.env; variables already set win):
  WECOM_CORP_ID           CorpID                                  (required for API commands)
  WECOM_AGENT_ID          the app's AgentId                       (required for API commands)
  WECOM_SECRET            the app's Secret                        (required for API commands)
  WECOM_API_BASE          API origin, default https://qyapi.weixin.qq.com (e.g. the emulator's URL)
  WECOM_CALLBACK_TOKEN    callback Token                          (callback commands)
  WECOM_ENCODING_AES_KEY  callback EncodingAESKey                 (callback commands)
  DATABASE_URL            PostgreSQL; when set, the access token is shared by every process using it

Output: JSON on stdout (verify-url and decrypt print the plaintext). Tokens and secrets are never printed.
Exit status: 0 success; 1 WeCom answered an error ("errcode N: text" on stderr); 2 bad usage or input;
3 network failure (WeCom could not be reached).
`;

export const COMMAND_HELP: Record<string, string> = {
  send: `Usage:
  wecom send text --to u1,u2 [--party 1,2] [--tag 3] [--duplicate-check] [--safe] "content"
  wecom send markdown --to u1 [--party 1,2] [--tag 3] [--duplicate-check] "content"
  wecom send --json message.json     (use - to read the JSON from stdin)

Prints {"msgid", "invalidUsers", "invalidParties", "invalidTags", "unlicensedUsers", "responseCode"?}.
The message is checked against WeCom's limits first (e.g. text ≤2048 bytes, ≤1000 users).
`,
  recall: `Usage: wecom recall MSGID

Recalls a message this app sent in the last 24 hours.
`,
  user: `Usage:
  wecom user get USERID
  wecom user list --department ID [--simple]
`,
  department: `Usage: wecom department list [--id ID]

Lists the departments the app can see (under ID, recursively, when given).
`,
  callback: `Usage:
  wecom callback verify-url --msg-signature S --timestamp T --nonce N --echostr E
      prints the decrypted echostr (what the callback URL must answer)
  wecom callback decrypt --msg-signature S --timestamp T --nonce N [--json] < body.xml
      reads the POST body on stdin; prints the decrypted XML, or with --json the typed event

Uses WECOM_CORP_ID, WECOM_CALLBACK_TOKEN and WECOM_ENCODING_AES_KEY. No timestamp window is applied: these
commands inspect captured requests.
`,
  jssdk: `Usage: wecom jssdk sign --url URL [--agent]

Prints the parameters for wx.config (or, with --agent, wx.agentConfig) on the page at URL: the ticket is
fetched (and cached) for you; the URL's #fragment is not signed.
`,
};
