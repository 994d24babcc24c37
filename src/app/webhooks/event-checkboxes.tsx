"use client";

export interface CatalogueEvent {
  type: string;
  emoji: string;
  title: string;
  description: string;
}

/** The event subscription picker, one checkbox per event with its description. */
export function EventCheckboxes({ events, selected, onChange, idPrefix }: { events: CatalogueEvent[]; selected: string[]; onChange: (next: string[]) => void; idPrefix: string }) {
  return (
    <fieldset className="grid gap-2 sm:grid-cols-2">
      <legend className="mb-1 text-sm text-muted">Events</legend>
      {events.map((e) => {
        const id = `${idPrefix}-${e.type}`;
        return (
          <label key={e.type} htmlFor={id} className="flex items-start gap-2 text-sm">
            <input
              id={id}
              type="checkbox"
              className="mt-1"
              checked={selected.includes(e.type)}
              onChange={(ev) => onChange(ev.target.checked ? [...selected, e.type] : selected.filter((s) => s !== e.type))}
            />
            <span>
              <span className="font-mono text-xs">{e.type}</span>
              <span className="block text-xs text-muted">{e.description}</span>
            </span>
          </label>
        );
      })}
    </fieldset>
  );
}
