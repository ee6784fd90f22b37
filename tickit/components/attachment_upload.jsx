// Glue for attaching files: an "Attach files" button (and drop zone) that sends every chosen file in one
// multipart request and shows its progress. XMLHttpRequest rather than fetch, because only XHR reports
// upload progress (`upload.onprogress`).
// Props: uploadUrl (e.g. /attachments/upload?ticket=HH-1[&comment=ID]), maxBytes (warn before sending a file
// the server would refuse anyway; 0 = no check), label (the button's text), onUploaded(list) with the
// server's JSON list of attachments once the upload succeeded; doneVerb says what happened to them
// ("Attached" unless told: a new-ticket form says "Added", as its files go on the ticket when it is filed).
// Held mode, for a comment still being written (`hold`): chosen files are listed and kept, not sent;
// onHeld(count) reports how many. Whenever `sendKey` changes the held files go to the then-current
// uploadUrl (the new comment's); onFailed(message) reports a refusal, after which nothing stays held.
import React, { useEffect, useRef, useState } from "react";

const FIELD = "files";
const DONE_SHOWN_MS = 4000;

const CSS = `
.tk-upload { display: flex; flex-direction: column; gap: 8px; width: 100%; }
.tk-upload-zone { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; padding: 8px;
  border: 1px dashed var(--gray-a7); border-radius: var(--radius-3); background: var(--color-surface); }
.tk-upload-zone[data-over="true"] { border-color: var(--accent-8); background: var(--accent-a3); }
.tk-upload-button { all: unset; box-sizing: border-box; display: inline-flex; align-items: center; gap: 6px;
  height: 28px; padding: 0 10px; border-radius: var(--radius-2); font-size: var(--font-size-1); font-weight: 500;
  color: var(--accent-11); background: var(--accent-a3); cursor: pointer; }
.tk-upload-button:hover { background: var(--accent-a4); }
.tk-upload-button:focus-visible { outline: 2px solid var(--accent-8); outline-offset: 1px; }
.tk-upload-button[disabled] { opacity: 0.6; cursor: default; }
.tk-upload-hint { font-size: var(--font-size-1); color: var(--gray-11); }
.tk-upload-names { font-size: var(--font-size-1); color: var(--gray-11); overflow-wrap: anywhere; }
.tk-upload-track { height: 6px; border-radius: 3px; background: var(--gray-a4); overflow: hidden; }
.tk-upload-bar { height: 100%; background: var(--accent-9); transition: width 120ms linear; }
.tk-upload-done { color: var(--green-11); overflow-wrap: anywhere; }
.tk-upload-row { display: flex; align-items: center; gap: 8px; font-size: var(--font-size-1); color: var(--gray-11); }
.tk-upload-row .tk-upload-cancel { all: unset; cursor: pointer; color: var(--gray-11); text-decoration: underline; }
.tk-upload-error { font-size: var(--font-size-1); color: var(--red-11); }
.tk-upload-held { display: flex; flex-wrap: wrap; gap: 6px; list-style: none; margin: 0; padding: 0; }
.tk-upload-held li { display: inline-flex; align-items: center; gap: 4px; max-width: 100%; padding: 2px 4px 2px 8px;
  border-radius: var(--radius-2); background: var(--gray-a3); font-size: var(--font-size-1); color: var(--gray-12); }
.tk-upload-held li span { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.tk-upload-held button { all: unset; cursor: pointer; width: 18px; height: 18px; display: inline-flex;
  align-items: center; justify-content: center; border-radius: var(--radius-1); color: var(--gray-11); }
.tk-upload-held button:hover { background: var(--gray-a5); color: var(--gray-12); }
.tk-upload-held button:focus-visible { outline: 2px solid var(--accent-8); }
`;

function formatSize(bytes) {
  const units = [
    ["GiB", 1024 ** 3],
    ["MiB", 1024 ** 2],
    ["KiB", 1024],
  ];
  for (const [unit, factor] of units) {
    if (bytes >= factor) {
      const value = bytes / factor;
      return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`;
    }
  }
  return `${bytes} bytes`;
}

function serverMessage(xhr) {
  try {
    const body = JSON.parse(xhr.responseText);
    if (body && typeof body.detail === "string") return body.detail;
  } catch (error) {
    // not JSON (a proxy's error page, say): fall through to the status
  }
  if (xhr.status === 413) return "The upload is too large.";
  if (xhr.status === 404) return "This ticket is no longer there.";
  return `The upload failed (HTTP ${xhr.status}).`;
}

export function AttachmentUpload({
  uploadUrl,
  maxBytes,
  label,
  doneVerb,
  hold,
  sendKey,
  onUploaded,
  onHeld,
  onFailed,
  className,
  ...rest
}) {
  const input = useRef(null);
  const request = useRef(null);
  const hideTimer = useRef(null);
  const send = useRef(onUploaded);
  send.current = onUploaded;
  const failed = useRef(onFailed);
  failed.current = onFailed;
  const heldChanged = useRef(onHeld);
  heldChanged.current = onHeld;
  const target = useRef(uploadUrl);
  target.current = uploadUrl;
  const [held, setHeld] = useState([]);
  const heldNow = useRef(held);
  heldNow.current = held;
  const [phase, setPhase] = useState("idle"); // idle | uploading | done | error
  const [percent, setPercent] = useState(0);
  const [names, setNames] = useState([]);
  const [error, setError] = useState("");
  const [over, setOver] = useState(false);

  useEffect(
    () => () => {
      clearTimeout(hideTimer.current);
      if (request.current) request.current.abort();
    },
    [],
  );

  const keep = (next) => {
    setHeld(next);
    if (heldChanged.current) heldChanged.current(next.length);
  };

  const refuseLarge = (files) => {
    const limit = Number(maxBytes) || 0;
    const tooLarge = limit > 0 ? files.filter((f) => f.size > limit) : [];
    if (!tooLarge.length) return false;
    setNames(files.map((f) => f.name));
    setPhase("error");
    setError(
      `${tooLarge.map((f) => f.name).join(", ")} ${tooLarge.length > 1 ? "are" : "is"} larger than ` +
        `${formatSize(limit)}, the most a file may be. ${hold ? "It was not added." : "Nothing was sent."}`,
    );
    return true;
  };

  const choose = (fileList) => {
    const files = Array.from(fileList || []);
    if (!files.length || phase === "uploading") return;
    if (refuseLarge(files)) return;
    if (hold) {
      clearTimeout(hideTimer.current);
      setPhase("idle");
      setError("");
      keep([...heldNow.current, ...files]);
      return;
    }
    upload(files);
  };

  // A held mode's files go when sendKey changes (never on the first render: a new comment's key is not a send).
  const firstSend = useRef(true);
  useEffect(() => {
    if (firstSend.current) {
      firstSend.current = false;
      return;
    }
    if (!hold || !heldNow.current.length) return;
    const files = heldNow.current;
    keep([]);
    upload(files);
  }, [sendKey]);

  const upload = (files) => {
    clearTimeout(hideTimer.current);
    setNames(files.map((f) => f.name));
    const form = new FormData();
    files.forEach((f) => form.append(FIELD, f, f.name));
    const xhr = new XMLHttpRequest();
    request.current = xhr;
    xhr.open("POST", target.current);
    xhr.setRequestHeader("X-Requested-With", "TickIt");
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (event) => {
      // 99 at most until the server answers: it still stores the files after the last byte.
      if (event.lengthComputable && event.total > 0) setPercent(Math.min(99, Math.round((100 * event.loaded) / event.total)));
    };
    xhr.onload = () => {
      request.current = null;
      if (xhr.status === 201) {
        let list = [];
        try {
          list = JSON.parse(xhr.responseText);
        } catch (err) {
          list = [];
        }
        setPercent(0);
        setPhase("done");
        setError("");
        hideTimer.current = setTimeout(() => setPhase("idle"), DONE_SHOWN_MS);
        if (send.current) send.current(list);
      } else {
        setPhase("error");
        setError(serverMessage(xhr));
        if (failed.current) failed.current(serverMessage(xhr));
      }
    };
    xhr.onerror = () => {
      request.current = null;
      const reason = "The upload failed: the server could not be reached.";
      setPhase("error");
      setError(reason);
      if (failed.current) failed.current(reason);
    };
    xhr.onabort = () => {
      request.current = null;
      setPhase("idle");
      if (hold && failed.current) failed.current("the upload was cancelled.");
    };
    setPercent(0);
    setError("");
    setPhase("uploading");
    xhr.send(form);
  };

  const busy = phase === "uploading";
  const count = names.length;
  const what = count === 1 ? names[0] : `${count} files`;

  return (
    <div {...rest} className={className ? `tk-upload ${className}` : "tk-upload"}>
      <style>{CSS}</style>
      <div
        className="tk-upload-zone"
        data-over={over ? "true" : "false"}
        onDragOver={(event) => {
          event.preventDefault();
          if (!busy) setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(event) => {
          event.preventDefault();
          setOver(false);
          choose(event.dataTransfer && event.dataTransfer.files);
        }}
      >
        <button type="button" className="tk-upload-button" disabled={busy} onClick={() => input.current && input.current.click()}>
          <svg width="14" height="14" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
            <path d="m21.44 11.05-9.19 9.19a6 6 0 0 1-8.49-8.49l8.57-8.57A4 4 0 1 1 18 8.84l-8.59 8.57a2 2 0 0 1-2.83-2.83l8.49-8.48" />
          </svg>
          {label || "Attach files"}
        </button>
        <span className="tk-upload-hint">
          or drop them here{Number(maxBytes) > 0 ? ` · up to ${formatSize(Number(maxBytes))} each` : ""}
          {hold && held.length ? " · attached when you post" : ""}
        </span>
        <input
          ref={input}
          type="file"
          multiple
          hidden
          aria-label="Files to attach"
          onChange={(event) => {
            choose(event.target.files);
            event.target.value = ""; // choosing the same file again still fires a change
          }}
        />
      </div>
      {hold && held.length ? (
        <ul className="tk-upload-held" aria-label="Chosen files">
          {held.map((f, i) => (
            <li key={`${i}:${f.name}`}>
              <span title={f.name}>{f.name}</span>
              <span style={{ color: "var(--gray-11)" }}>{formatSize(f.size)}</span>
              <button
                type="button"
                aria-label={`Don't attach ${f.name}`}
                title={`Don't attach ${f.name}`}
                onClick={() => keep(heldNow.current.filter((_, j) => j !== i))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {busy ? (
        <div>
          <div className="tk-upload-row" role="status">
            <span className="tk-upload-names" style={{ flex: 1 }}>
              {`Uploading ${what}… ${percent}%`}
            </span>
            <button type="button" className="tk-upload-cancel" onClick={() => request.current && request.current.abort()}>
              Cancel
            </button>
          </div>
          <div
            className="tk-upload-track"
            role="progressbar"
            aria-label="Upload progress"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent}
          >
            <div className="tk-upload-bar" style={{ width: `${percent}%` }} />
          </div>
          {count > 1 ? <div className="tk-upload-names">{names.join(", ")}</div> : null}
        </div>
      ) : null}
      {/* Once sent, the files show in their list: the bar goes at once, and a short line says what was added. */}
      {phase === "done" ? (
        <div className="tk-upload-row" role="status">
          <span className="tk-upload-done">{`${doneVerb || "Attached"} ${what}.`}</span>
        </div>
      ) : null}
      {phase === "error" && error ? (
        <div className="tk-upload-error" role="alert">
          {error}
        </div>
      ) : null}
    </div>
  );
}
