/**
 * Run the pad's code: in this browser, inside the sandboxed runner (runner-client.ts), for the languages the
 * browser runs (the result is then recorded by the server), or on the server's code runner for the languages it
 * serves (Java, C++, Go, …: the server runs and records it). Either way the result appears for everyone in the
 * room through the control document (`lastRun`). Other languages say plainly that they do not run here.
 */
import { useEffect, useRef, useState } from 'react';
import type * as Y from 'yjs';
import { api } from '../api/client.ts';
import type { RunView } from '../api/types.ts';
import { actionErrorText } from '../components/ErrorView.tsx';
import { useI18n } from '../i18n/index.tsx';
import { languageLabel } from './languages.ts';
import { createCodeRunner, isBrowserRunnable, type CodeRunner } from './runner-client.ts';

export interface RunPanelProps {
  code: Y.Text;
  language: string;
  lastRun: RunView | null;
  /** Where to record a browser run: the member's or the candidate's route. */
  recordUrl: string;
  /** Where to send a run for the server's code runner, and the languages it runs. */
  executeUrl: string;
  serverLanguages: readonly string[];
  /** Why this person cannot run now, if they cannot (room not live, switched off for the candidate). */
  blocked?: string | undefined;
}

export function RunPanel({ code, language, lastRun, recordUrl, executeUrl, serverLanguages, blocked }: RunPanelProps) {
  const { t, fmt } = useI18n();
  const runner = useRef<CodeRunner>(null);
  const [stdin, setStdin] = useState('');
  const [running, setRunning] = useState(false);
  const [live, setLive] = useState<string>();
  const [error, setError] = useState<string>();
  const where = isBrowserRunnable(language) ? 'browser' : serverLanguages.includes(language) ? 'server' : undefined;
  const runnable = where !== undefined;
  const [onServer, setOnServer] = useState(false);

  useEffect(() => () => runner.current?.dispose(), []);

  async function run() {
    if (where === 'server') return runOnServer();
    if (!isBrowserRunnable(language)) return;
    runner.current ??= createCodeRunner();
    setRunning(true);
    setError(undefined);
    setLive('');
    const source = code.toString();
    try {
      const result = await runner.current.run({ language, code: source, stdin }, (chunk) => setLive((text) => (text ?? '') + chunk));
      await api(recordUrl, {
        method: 'POST',
        body: { language, code: source, stdin, output: result.output, truncated: result.truncated, status: result.status, durationMs: Math.round(result.durationMs) },
      });
    } catch (e) {
      setError(actionErrorText(e, t));
    } finally {
      setRunning(false);
      setLive(undefined);
    }
  }

  /** The server runs and records it; its answer is the run everyone then sees. */
  async function runOnServer() {
    setRunning(true);
    setOnServer(true);
    setError(undefined);
    try {
      await api(executeUrl, { method: 'POST', body: { language, code: code.toString(), stdin } });
    } catch (e) {
      setError(actionErrorText(e, t));
    } finally {
      setRunning(false);
      setOnServer(false);
    }
  }

  const shown = live !== undefined ? live : onServer ? t.pad.runningOnServer : lastRun?.output;
  return (
    <section className="run-panel" aria-label={t.pad.runTitle}>
      <div className="run-bar">
        <button type="button" className="button button-primary" onClick={run} disabled={running || !runnable || blocked !== undefined} data-testid="run">
          {running ? t.pad.running : t.pad.run}
        </button>
        {running && where === 'browser' ? (
          <button type="button" className="button button-quiet" onClick={() => runner.current?.stop()}>
            {t.pad.stop}
          </button>
        ) : null}
        <span className="muted run-hint">
          {!runnable ? t.pad.notRunnable(languageLabel(language)) : (blocked ?? (where === 'server' ? t.pad.serverRunHint : t.pad.runHint))}
        </span>
      </div>
      <div className="run-io">
        <label className="run-stdin">
          <span>{t.pad.stdin}</span>
          <textarea className="input mono" rows={3} value={stdin} onChange={(e) => setStdin(e.target.value)} placeholder={t.pad.stdinPlaceholder} spellCheck={false} />
        </label>
        <div className="run-output">
          <div className="run-output-head">
            <span>{t.pad.output}</span>
            {live === undefined && lastRun ? (
              <span className={`run-status run-status-${lastRun.status}`} data-testid="run-status">
                {t.pad.status[lastRun.status]} · {Math.round(lastRun.durationMs)} ms · {t.pad.runBy(lastRun.authorName, languageLabel(lastRun.language), fmt.time(lastRun.at))}
              </span>
            ) : null}
          </div>
          <pre className="mono run-output-text" data-testid="run-output" aria-live="polite">
            {shown ?? t.pad.noOutput}
            {live === undefined && lastRun?.truncated ? `\n${t.pad.truncated}` : ''}
          </pre>
          {error ? <p className="field-error">{error}</p> : null}
        </div>
      </div>
    </section>
  );
}
