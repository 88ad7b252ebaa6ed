/** A value to hand on (the candidate link), with a Copy button. */
import { useId, useRef, useState } from 'react';
import { useI18n } from '../i18n/index.tsx';

export function CopyField({ value, label }: { value: string; label: string }) {
  const { t } = useI18n();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'yes' | 'failed' | undefined>();

  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      // No clipboard permission (http, some in-app browsers): select it so a long-press or Ctrl+C copies it.
      input.current?.select();
      setCopied('failed');
    }
  }

  return (
    <div className="copy-field">
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      <div className="copy-row">
        <input id={id} ref={input} className="input mono" readOnly value={value} onFocus={(e) => e.target.select()} />
        <button type="button" className="button" onClick={copy}>
          {copied === 'yes' ? t.common.copied : t.common.copy}
        </button>
      </div>
      {copied === 'failed' ? <p className="field-hint">{t.common.copyManually}</p> : null}
    </div>
  );
}
