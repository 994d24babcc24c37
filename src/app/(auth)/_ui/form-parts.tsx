"use client";

import type { InputHTMLAttributes, ReactNode } from "react";

/** A labelled input with its error announced to assistive technology. */
export function Field({ id, label, error, hint, ...input }: { id: string; label: string; error?: string | null; hint?: ReactNode } & InputHTMLAttributes<HTMLInputElement>) {
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      <input
        id={id}
        name={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        className="w-full rounded-md border border-line bg-panel-2 px-3 py-2 text-sm text-strong placeholder:text-muted focus:border-accent"
        {...input}
      />
      {hint ? (
        <p id={`${id}-hint`} className="text-xs text-muted">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} role="alert" className="text-sm text-bad">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function SubmitButton({ pending, children, pendingText, tone = "accent" }: { pending: boolean; children: ReactNode; pendingText: string; tone?: "accent" | "bad" }) {
  const color = tone === "bad" ? "bg-bad hover:bg-bad/90" : "bg-accent hover:bg-accent/90";
  return (
    <button type="submit" disabled={pending} aria-busy={pending} className={`rounded-md px-4 py-2 text-sm font-semibold text-surface disabled:opacity-60 ${color}`}>
      {pending ? pendingText : children}
    </button>
  );
}

export function FormError({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <p role="alert" className="rounded-md border border-bad/40 bg-bad/10 px-3 py-2 text-sm text-bad">
      {message}
    </p>
  );
}

export function AuthCard({ title, children, footer }: { title: string; children: ReactNode; footer?: ReactNode }) {
  return (
    <div className="mx-auto mt-10 max-w-sm space-y-6 rounded-lg border border-line bg-panel p-6">
      <h1 className="text-xl font-semibold">{title}</h1>
      {children}
      {footer ? <div className="text-sm text-muted">{footer}</div> : null}
    </div>
  );
}
