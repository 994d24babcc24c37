"use client";

import { useId, useRef, useState, type ReactNode } from "react";

interface ConfirmButtonProps {
  label: ReactNode;
  title: string;
  description: ReactNode;
  confirmLabel: string;
  onConfirm: () => void | Promise<unknown>;
  /** When set, the user must type this text to enable the confirm button. */
  typeToConfirm?: string;
  danger?: boolean;
  disabled?: boolean;
  className?: string;
}

/** A button that opens a modal dialog asking for confirmation before a destructive action. */
export function ConfirmButton(props: ConfirmButtonProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [typed, setTyped] = useState("");
  const [busy, setBusy] = useState(false);
  const ready = !props.typeToConfirm || typed === props.typeToConfirm;
  const tone = props.danger ? "border-bad/60 text-bad hover:bg-bad/10" : "border-line hover:bg-panel-2";
  return (
    <>
      <button
        type="button"
        disabled={props.disabled}
        onClick={() => {
          setTyped("");
          dialog.current?.showModal();
        }}
        className={props.className ?? `rounded-md border px-3 py-1.5 text-sm disabled:opacity-50 ${tone}`}
      >
        {props.label}
      </button>
      <dialog ref={dialog} aria-labelledby={titleId} className="m-auto w-full max-w-md rounded-lg border border-line bg-panel p-5 text-fg backdrop:bg-black/60">
        <h2 id={titleId} className="text-lg font-semibold">{props.title}</h2>
        <div className="mt-2 text-sm text-muted">{props.description}</div>
        {props.typeToConfirm ? (
          <label className="mt-4 block text-sm">
            Type <code className="rounded bg-panel-2 px-1">{props.typeToConfirm}</code> to confirm
            <input
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              className="mt-1 w-full rounded-md border border-line bg-surface px-2 py-1.5"
              autoComplete="off"
            />
          </label>
        ) : null}
        <div className="mt-5 flex justify-end gap-2">
          <button type="button" onClick={() => dialog.current?.close()} className="rounded-md border border-line px-3 py-1.5 text-sm hover:bg-panel-2">
            Cancel
          </button>
          <button
            type="button"
            disabled={!ready || busy}
            onClick={async () => {
              setBusy(true);
              try {
                await props.onConfirm();
                dialog.current?.close();
              } finally {
                setBusy(false);
              }
            }}
            className={`rounded-md px-3 py-1.5 text-sm font-medium disabled:opacity-50 ${props.danger ? "bg-bad text-strong" : "bg-accent text-black"}`}
          >
            {busy ? "Working…" : props.confirmLabel}
          </button>
        </div>
      </dialog>
    </>
  );
}
