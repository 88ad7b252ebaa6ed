/**
 * Quota state in Redis, for a large cluster that has one (issue 10: "Redis as an option"). One Lua script runs a
 * whole batch atomically (Redis runs a script alone), following windows.ts step for step; one round trip per
 * batch, like the PostgreSQL store. Each (key, window) is a hash that expires once its window is over.
 *
 * Any client with ioredis-style `evalsha(sha, numKeys, ...args)` and `eval(script, numKeys, ...args)` works; the
 * SDK does not depend on one. The script touches keys it computes itself, under one hash tag (`{wecom-quota}`),
 * so on Redis Cluster they all live in one slot.
 */
import { createHash } from 'node:crypto';
import type { QuotaStore, ReleaseRequest } from './store.ts';
import type { ResolvedWindow, TakeRequest, TakeResult, WindowUsage } from './windows.ts';

/** What the store needs of a Redis client (ioredis's methods of the same names). */
export interface RedisScriptClient {
  evalsha(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

export interface RedisQuotaStoreOptions {
  client: RedisScriptClient;
  /** Key prefix. Default `{wecom-quota}:`. */
  prefix?: string;
}

const SCRIPT = String.raw`
local now = tonumber(ARGV[1])
local ops = cjson.decode(ARGV[2])
local prefix = ARGV[3]
local SLICES = 120

local function load(key, w)
  local name = prefix .. key .. '|' .. w.id
  local h = redis.call('HMGET', name, 'level', 'stamp', 'slots', 'blocked')
  local s = { name = name, level = tonumber(h[1]) or 0, stamp = tonumber(h[2]) or 0, blocked = tonumber(h[4]) or 0, slots = nil }
  if h[3] and h[3] ~= '' then
    s.slots = {}
    for n in string.gmatch(h[3], '[^,]+') do s.slots[#s.slots + 1] = tonumber(n) end
  end
  return s
end

local function save(w, s)
  local slots = ''
  if s.slots then slots = table.concat(s.slots, ',') end
  redis.call('HSET', s.name, 'level', string.format('%.17g', s.level), 'stamp', string.format('%.17g', s.stamp), 'slots', slots, 'blocked', string.format('%.17g', s.blocked))
  local ttl = w.windowMs + w.marginMs + 60000
  if s.blocked > now then ttl = math.max(ttl, s.blocked - now + 60000) end
  redis.call('PEXPIRE', s.name, math.ceil(ttl))
end

-- windows.ts advance(): returns free units
local function advance(w, s)
  if w.kind == 'smooth' then
    local at = math.max(now, s.stamp)
    s.level = math.min(w.burst, s.level + (at - s.stamp) * ((w.limit - w.burst) / (w.windowMs + w.marginMs)))
    s.stamp = at
    return s.level
  elseif w.kind == 'sliding' then
    local slice = w.windowMs / SLICES
    local ring = math.ceil((w.windowMs + w.marginMs) / slice) + 1
    local k = math.max(math.floor(now / slice), s.stamp)
    if (not s.slots) or #s.slots ~= ring or k - s.stamp >= ring then
      s.slots = {}
      for i = 1, ring do s.slots[i] = 0 end
    else
      for j = s.stamp + 1, k do s.slots[(j % ring) + 1] = 0 end
    end
    s.stamp = k
    local used = 0
    for i = 1, ring do used = used + s.slots[i] end
    return w.limit - used
  else
    local day = math.max(math.floor((now + w.offsetMs) / w.windowMs), s.stamp)
    if day ~= s.stamp then s.level = 0 end
    s.stamp = day
    return w.limit - s.level
  end
end

local function capacity(w)
  if w.kind == 'smooth' then return w.burst - w.reserve end
  return w.limit - w.reserve
end

local function available_at(w, s, units)
  if units > capacity(w) then return -1 end
  if w.kind == 'smooth' then
    local missing = units + w.reserve - s.level
    if missing <= 0 then return now end
    return s.stamp + math.ceil(missing / ((w.limit - w.burst) / (w.windowMs + w.marginMs)))
  elseif w.kind == 'sliding' then
    local ring = #s.slots
    local used = 0
    for i = 1, ring do used = used + s.slots[i] end
    local excess = used + units - (w.limit - w.reserve)
    if excess <= 0 then return now end
    for j = s.stamp - ring + 1, s.stamp do
      excess = excess - s.slots[(j % ring) + 1]
      if excess <= 0 then return math.ceil((j + ring) * (w.windowMs / SLICES)) end
    end
    return -1
  else
    if s.level + units <= w.limit - w.reserve then return now end
    return (s.stamp + 1) * w.windowMs - w.offsetMs
  end
end

local function take(w, s, units)
  if w.kind == 'smooth' then s.level = s.level - units
  elseif w.kind == 'sliding' then local i = (s.stamp % #s.slots) + 1; s.slots[i] = s.slots[i] + units
  else s.level = s.level + units end
end

local function release(w, s, units, at)
  if w.kind == 'smooth' then s.level = math.min(w.burst, s.level + units)
  elseif w.kind == 'sliding' then
    local ring = #s.slots
    local j = math.floor(at / (w.windowMs / SLICES))
    if j > s.stamp - ring and j <= s.stamp then local i = (j % ring) + 1; s.slots[i] = math.max(0, s.slots[i] - units) end
  elseif math.floor((at + w.offsetMs) / w.windowMs) == s.stamp then s.level = math.max(0, s.level - units) end
end

local out = {}
for _, op in ipairs(ops) do
  local states = {}
  local free = {}
  for i, w in ipairs(op.windows) do
    states[i] = load(op.key, w)
    free[i] = advance(w, states[i])
  end
  if op.op == 'take' then
    local grant = op.max
    local blocked = 0
    for i, w in ipairs(op.windows) do
      grant = math.min(grant, math.floor(free[i]) - w.reserve)
      blocked = math.max(blocked, states[i].blocked)
    end
    local result
    if blocked > now then
      result = { granted = 0, retryAt = blocked }
    elseif grant >= op.min then
      for i, w in ipairs(op.windows) do take(w, states[i], grant) end
      result = { granted = grant, retryAt = now }
    else
      local retry = now
      for i, w in ipairs(op.windows) do
        local at = available_at(w, states[i], op.min)
        if at < 0 or retry < 0 then retry = -1 else retry = math.max(retry, at) end
      end
      if retry == now then retry = now + 1 end
      result = { granted = 0, retryAt = retry }
    end
    out[#out + 1] = result
  else
    local usage = {}
    for i, w in ipairs(op.windows) do
      local s = states[i]
      if op.op == 'release' then release(w, s, op.units, op.at); free[i] = advance(w, s) end
      if op.op == 'block' then s.blocked = math.max(s.blocked, op.at) end
      local cap = w.limit
      if w.kind == 'smooth' then cap = w.burst end
      local remaining = math.max(0, math.floor(free[i]))
      local u = { used = cap - remaining, remaining = remaining, blockedUntil = s.blocked }
      if w.kind == 'calendar' then u.resetsAt = (s.stamp + 1) * w.windowMs - w.offsetMs end
      usage[i] = u
    end
    out[#out + 1] = usage
  end
  for i, w in ipairs(op.windows) do save(w, states[i]) end
end
return cjson.encode(out)
`;

const SHA = createHash('sha1').update(SCRIPT).digest('hex');

interface ScriptUsage {
  used: number;
  remaining: number;
  resetsAt?: number;
  blockedUntil: number;
}

export class RedisQuotaStore implements QuotaStore {
  readonly #client: RedisScriptClient;
  readonly #prefix: string;

  constructor(options: RedisQuotaStoreOptions) {
    if (!options?.client || typeof options.client.evalsha !== 'function' || typeof options.client.eval !== 'function') {
      throw new TypeError('RedisQuotaStore needs a Redis client with evalsha and eval (e.g. new Redis(REDIS_URL) from ioredis)');
    }
    this.#client = options.client;
    this.#prefix = options.prefix ?? '{wecom-quota}:';
  }

  async #run<T>(now: number, ops: readonly object[]): Promise<T[]> {
    const args = [Math.round(now), JSON.stringify(ops), this.#prefix];
    let raw: unknown;
    try {
      raw = await this.#client.evalsha(SHA, 0, ...args);
    } catch (error) {
      if (!/NOSCRIPT/.test(String((error as Error)?.message))) throw error;
      raw = await this.#client.eval(SCRIPT, 0, ...args);
    }
    // cjson encodes an empty Lua table as {}: no operation answers with an empty list except an empty batch.
    const parsed = JSON.parse(String(raw)) as T[] | Record<string, never>;
    return Array.isArray(parsed) ? parsed : [];
  }

  async take(requests: readonly TakeRequest[], now: number, releases: readonly ReleaseRequest[] = []): Promise<TakeResult[]> {
    if (requests.length === 0) return (await this.release(releases, now), []);
    const results = await this.#run<TakeResult>(now, [
      ...releases.map((r) => ({ op: 'release', key: r.key, windows: r.windows, units: r.units, at: Math.round(r.takenAt) })),
      ...requests.map((r) => ({ op: 'take', key: r.key, windows: r.windows, min: r.min, max: r.max })),
    ]);
    return results.slice(releases.length).map((r) => ({ granted: Number(r.granted), retryAt: Number(r.retryAt) }));
  }

  async release(requests: readonly ReleaseRequest[], now: number): Promise<void> {
    if (requests.length === 0) return;
    await this.#run(now, requests.map((r) => ({ op: 'release', key: r.key, windows: r.windows, units: r.units, at: Math.round(r.takenAt) })));
  }

  async block(key: string, windows: readonly ResolvedWindow[], until: number, now: number): Promise<void> {
    await this.#run(now, [{ op: 'block', key, windows, at: Math.round(until) }]);
  }

  async peek(key: string, windows: readonly ResolvedWindow[], now: number): Promise<WindowUsage[]> {
    const [usage] = await this.#run<ScriptUsage[] | Record<string, never>>(now, [{ op: 'peek', key, windows }]);
    const list = Array.isArray(usage) ? usage : [];
    return windows.map((w, i) => {
      const u = list[i]!;
      return {
        id: w.id,
        kind: w.kind,
        limit: w.limit,
        used: Number(u.used),
        remaining: Number(u.remaining),
        ...(u.resetsAt !== undefined && { resetsAt: Number(u.resetsAt) }),
        ...(Number(u.blockedUntil) > now && { blockedUntil: Number(u.blockedUntil) }),
      };
    });
  }
}
