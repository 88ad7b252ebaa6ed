/**
 * Pick interviewers from the directory: type to search by name, English name or WeCom user id; picked people
 * show as chips. A combobox (ARIA 1.2 pattern): arrows move (and open the list), Enter picks, Escape closes.
 * A pick closes the list, so it never stays open over what comes next in the form (the submit button); typing,
 * an arrow key or a click on the field opens it again.
 */
import { useId, useMemo, useState, type KeyboardEvent } from 'react';
import type { Person } from '../api/types.ts';
import { useI18n } from '../i18n/index.tsx';

const MAX_SHOWN = 8;

export function matches(person: Person, search: string): boolean {
  const needle = search.trim().toLowerCase();
  if (!needle) return true;
  return [person.name, person.englishName ?? '', person.wecomUserId].some((text) => text.toLowerCase().includes(needle));
}

export function PersonPicker({
  people,
  value,
  onChange,
  inputProps,
  max,
}: {
  people: Person[];
  value: string[];
  onChange(ids: string[]): void;
  inputProps: { id: string; 'aria-invalid': boolean; 'aria-describedby': string | undefined };
  max: number;
}) {
  const { t } = useI18n();
  const listId = useId();
  const [search, setSearch] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);

  const byId = useMemo(() => new Map(people.map((p) => [p.id, p])), [people]);
  const options = useMemo(
    () => people.filter((p) => p.active && !value.includes(p.id) && matches(p, search)).slice(0, MAX_SHOWN),
    [people, value, search],
  );
  const full = value.length >= max;

  function pick(person: Person) {
    onChange([...value, person.id]);
    setSearch('');
    setActive(0);
    setOpen(false);
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      // The first press opens the list on its first option; the next ones move down.
      if (open) setActive((a) => Math.min(a + 1, options.length - 1));
      else setOpen(true);
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setOpen(true);
      setActive((a) => Math.max(a - 1, 0));
    } else if (event.key === 'Enter') {
      // Enter picks instead of submitting the form.
      event.preventDefault();
      const option = options[active];
      if (open && option) pick(option);
    } else if (event.key === 'Escape') {
      // The first Escape closes the list; with it closed, the field's own Escape (clear the search) applies.
      if (open) event.preventDefault();
      setOpen(false);
    } else if (event.key === 'Backspace' && search === '' && value.length) {
      onChange(value.slice(0, -1));
    }
  }

  return (
    <div className="picker">
      {value.length ? (
        <ul className="chips" aria-label={t.schedule.pickedInterviewers}>
          {value.map((id) => {
            const person = byId.get(id);
            const name = person?.name ?? id;
            return (
              <li className="chip" key={id}>
                <span>{name}</span>
                {person?.englishName ? <span className="chip-sub">{person.englishName}</span> : null}
                <button type="button" className="chip-remove" aria-label={t.schedule.removeInterviewer(name)} onClick={() => onChange(value.filter((v) => v !== id))}>
                  ×
                </button>
              </li>
            );
          })}
        </ul>
      ) : null}
      <div className="combobox">
        <input
          {...inputProps}
          className="input"
          type="search"
          role="combobox"
          autoComplete="off"
          aria-expanded={open && options.length > 0}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={open && options[active] ? `${listId}-${options[active].id}` : undefined}
          placeholder={full ? t.schedule.panelFull(max) : t.schedule.searchPeople}
          disabled={full}
          value={search}
          onChange={(e) => {
            setSearch(e.target.value);
            setOpen(true);
            setActive(0);
          }}
          onFocus={() => setOpen(true)}
          onClick={() => setOpen(true)}
          onBlur={() => setOpen(false)}
          onKeyDown={onKeyDown}
        />
        {open && !full ? (
          <ul className="listbox" id={listId} role="listbox" aria-label={t.schedule.interviewers}>
            {options.length === 0 ? (
              <li className="listbox-empty">{t.schedule.noMatch}</li>
            ) : (
              options.map((person, index) => (
                <li
                  key={person.id}
                  id={`${listId}-${person.id}`}
                  role="option"
                  aria-selected={index === active}
                  className={`option${index === active ? ' active' : ''}`}
                  // mousedown, not click: the input's blur would close the list first.
                  onMouseDown={(e) => {
                    e.preventDefault();
                    pick(person);
                  }}
                  onMouseEnter={() => setActive(index)}
                >
                  <span className="option-name">{person.name}</span>
                  {person.englishName ? <span className="option-sub">{person.englishName}</span> : null}
                  <span className="option-meta">{person.wecomUserId}</span>
                </li>
              ))
            )}
          </ul>
        ) : null}
      </div>
    </div>
  );
}
