/**
 * The CLI commands that call WeCom: send, recall, user, department, jssdk. Each parses its flags, makes one SDK
 * call and prints the result as JSON.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { WeComClient } from '../client.ts';
import { markdown, text } from '../messages/builders.ts';
import { parseSendBody, type SendOptions } from '../messages/send-body.ts';
import type { Recipients } from '../messages/types.ts';
import { printJson, readAll, splitList, UsageError, type CliIO } from './io.ts';

export async function sendCommand(args: string[], io: CliIO, client: WeComClient): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      to: { type: 'string' },
      party: { type: 'string' },
      tag: { type: 'string' },
      json: { type: 'string' },
      'duplicate-check': { type: 'boolean' },
      safe: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: true,
  });
  const options: SendOptions = {};
  if (values['duplicate-check']) options.enableDuplicateCheck = true;
  if (values.safe) options.safe = 1;

  if (values.json !== undefined) {
    if (positionals.length > 0 || values.to || values.party || values.tag) {
      throw new UsageError('send --json takes the whole message/send body from the file; do not combine it with a msgtype, --to, --party or --tag');
    }
    const source = values.json === '-' ? await readAll(io.stdin) : await readText(values.json);
    let json: unknown;
    try {
      json = JSON.parse(source);
    } catch (error) {
      throw new UsageError(`${values.json === '-' ? 'stdin' : values.json} is not valid JSON: ${(error as Error).message}`);
    }
    const parsed = parseSendBody(json, client.config.agentId);
    printJson(io, await client.message.send(parsed.recipients, parsed.message, { ...parsed.options, ...options }));
    return;
  }

  const [msgtype, content, ...extra] = positionals;
  if (msgtype !== 'text' && msgtype !== 'markdown') {
    throw new UsageError(msgtype ? `cannot send "${msgtype}" from flags: use text, markdown, or --json FILE for any msgtype` : 'send needs a msgtype (text or markdown) or --json FILE');
  }
  if (content === undefined) throw new UsageError(`send ${msgtype} needs the content as one argument (quote it)`);
  if (extra.length > 0) throw new UsageError(`send ${msgtype} takes one content argument; quote the whole text (got ${extra.length + 1} arguments)`);
  const recipients: Recipients = {};
  const to = splitList(values.to);
  if (to) recipients.toUser = to.length === 1 && to[0] === '@all' ? '@all' : to;
  const party = splitList(values.party);
  if (party) recipients.toParty = party;
  const tag = splitList(values.tag);
  if (tag) recipients.toTag = tag;
  if (!to && !party && !tag) throw new UsageError('send needs recipients: --to, --party and/or --tag');
  const message = msgtype === 'text' ? text(content) : markdown(content);
  printJson(io, await client.message.send(recipients, message, options));
}

export async function recallCommand(args: string[], io: CliIO, client: WeComClient): Promise<void> {
  const { positionals } = parseArgs({ args, options: {}, strict: true, allowPositionals: true });
  if (positionals.length !== 1) throw new UsageError('recall takes one MSGID (from the send result)');
  await client.message.recall(positionals[0]!);
  printJson(io, { recalled: positionals[0] });
}

export async function userCommand(args: string[], io: CliIO, client: WeComClient): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === 'get') {
    const { positionals } = parseArgs({ args: rest, options: {}, strict: true, allowPositionals: true });
    if (positionals.length !== 1) throw new UsageError('user get takes one USERID');
    printJson(io, await client.contacts.getUser(positionals[0]!));
    return;
  }
  if (sub === 'list') {
    const { values } = parseArgs({ args: rest, options: { department: { type: 'string' }, simple: { type: 'boolean' } }, strict: true, allowPositionals: false });
    const department = departmentId(values.department, '--department', true)!;
    printJson(io, values.simple ? await client.contacts.listUsersSimple(department) : await client.contacts.listUsers(department));
    return;
  }
  throw new UsageError(sub ? `unknown user command "${sub}"; use get or list` : 'user needs a command: get or list');
}

export async function departmentCommand(args: string[], io: CliIO, client: WeComClient): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'list') throw new UsageError(sub ? `unknown department command "${sub}"; use list` : 'department needs a command: list');
  const { values } = parseArgs({ args: rest, options: { id: { type: 'string' } }, strict: true, allowPositionals: false });
  printJson(io, await client.contacts.listDepartments(departmentId(values.id, '--id', false)));
}

export async function jssdkCommand(args: string[], io: CliIO, client: WeComClient): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'sign') throw new UsageError(sub ? `unknown jssdk command "${sub}"; use sign` : 'jssdk needs a command: sign');
  const { values } = parseArgs({ args: rest, options: { url: { type: 'string' }, agent: { type: 'boolean' } }, strict: true, allowPositionals: false });
  if (!values.url) throw new UsageError('jssdk sign needs --url URL (the page that calls wx.config / wx.agentConfig)');
  printJson(io, values.agent ? await client.jssdk.agentConfigSignature(values.url) : await client.jssdk.configSignature(values.url));
}

function departmentId(value: string | undefined, flag: string, required: boolean): number | undefined {
  if (value === undefined) {
    if (required) throw new UsageError(`${flag} ID is required (the root department is 1)`);
    return undefined;
  }
  if (!/^[1-9]\d{0,9}$/.test(value.trim())) throw new UsageError(`${flag} must be a department id (a positive integer), got "${value}"`);
  return Number(value.trim());
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
