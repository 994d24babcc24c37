"use client";

import { useState } from "react";

/** Backup codes are shown once: copy or download them now. */
export function BackupCodesPanel({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  const text = `WiseHosting backup codes (each works once)\n\n${codes.join("\n")}\n`;
  function download() {
    const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = "wisehosting-backup-codes.txt";
    a.click();
    URL.revokeObjectURL(url);
  }
  async function copy() {
    // The Clipboard API exists only in secure contexts; elsewhere the codes stay selectable.
    if (!navigator.clipboard) return setCopied(false);
    await navigator.clipboard.writeText(text).then(() => setCopied(true), () => setCopied(false));
  }
  return (
    <div className="space-y-3 rounded-md border border-ok/40 bg-ok/5 p-4" aria-labelledby="backup-codes-title">
      <h3 id="backup-codes-title" className="font-semibold">
        Your backup codes
      </h3>
      <p className="text-sm text-muted">Store them somewhere safe. Each code works once; they are not shown again.</p>
      <ul className="grid select-all grid-cols-2 gap-1 font-mono text-sm" data-testid="backup-codes">
        {codes.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ul>
      <div className="flex gap-3 text-sm">
        <button type="button" onClick={copy} className="rounded-md border border-line px-3 py-1 hover:bg-panel-2">
          {copied ? "Copied" : "Copy"}
        </button>
        <button type="button" onClick={download} className="rounded-md border border-line px-3 py-1 hover:bg-panel-2">
          Download
        </button>
        <button type="button" onClick={onDone} className="rounded-md px-3 py-1 text-muted hover:text-strong">
          I saved them
        </button>
      </div>
      <p role="status" className="sr-only">
        {copied ? "Backup codes copied to the clipboard" : ""}
      </p>
    </div>
  );
}
