/**
 * The official callback test vectors (wecom-protocol.md §6.9, D-90968 "举例说明", recomputed), as data: every
 * receiver and the emulator should accept them byte for byte.
 */
export const officialCallbackCredentials = {
  token: 'QDG6eK',
  encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  corpId: 'wx5823bf96d3bd56c7',
} as const;

export const officialCallbackVectors = {
  /** §6.9 vector 1: the GET URL verification. */
  urlVerification: {
    query: {
      msg_signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
      timestamp: '1409659589',
      nonce: '263014780',
      echostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
    },
    plaintext: '1616140317555161061',
  },
  /** §6.9 vector 2: a POSTed text message (padding 30 bytes). */
  message: {
    query: { msg_signature: '477715d11cdb4164915debcba66cb864d751f3e6', timestamp: '1409659813', nonce: '1372623149' },
    encrypt:
      'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==',
    plaintext:
      '<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n<FromUserName><![CDATA[mycreate]]></FromUserName>\n<CreateTime>1409659813</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[hello]]></Content>\n<MsgId>4561255354251345929</MsgId>\n<AgentID>218</AgentID>\n</xml>',
    /** The envelope as §6.3 shows it (ToUserName, AgentID, Encrypt). */
    get body(): string {
      return `<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><AgentID><![CDATA[218]]></AgentID><Encrypt><![CDATA[${this.encrypt}]]></Encrypt></xml>`;
    },
  },
  /** §6.9 vector 3 (derived, deterministic): a passive reply encrypted with random prefix "aaaaaaaaaaaaaaaa". */
  reply: {
    timestamp: '1409659813',
    nonce: '1372623149',
    random: 'aaaaaaaaaaaaaaaa',
    plaintext:
      '<xml><ToUserName><![CDATA[mycreate]]></ToUserName><FromUserName><![CDATA[wx5823bf96d3bd56c7]]></FromUserName><CreateTime>1409659813</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hello]]></Content></xml>',
    encrypt:
      '2JaQ0H0H/TuqGM/rDRTvaynbq2iGmS8l2tyAhsBFQLgVbPqFeXSZlY2nrYOcr6PVh74XZDr6GQ0PWfPpEeui6v96xqL6+HrIF02eXbp8AgAEUG1hMI+6uHir0SZ7/Hd4X7EvRml0EWAIQ/XAKo0kenBHH+AVxhMEHF02yx3lEvGO7VlDN9LTCFNivBU8/PExCwr2b59sMAwajQMfMeTLTXXvcEi974BfWhURN3unln+Rfg7bO9psnupcnXuHl4tLzuOdtnHxi7qV06fuSyqgq6zrOOJFYP+iH0flLaunihEmR/fGvSkjOaanzfExeBB2iLlVNRHfvHs4dtAK0LfLNo1T3wMWdqD/IHMI9pyZW2IcVKWHgvW/MnuvOrocgsUN',
    msgSignature: 'c717d3cb3353989e9232b2bb07bd6a34174afe65',
  },
} as const;
