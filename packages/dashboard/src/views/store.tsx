/**
 * The deployment: which backend holds the values, its capabilities and health (GET /store, any
 * role), and for admins the encryption keys and key rotation (POST /admin/rotate-key). The API
 * answers a rotation when it is done, with its report (re-encrypted, skipped, remaining,
 * unreadable). Meanwhile the view shows its progress: it reads GET /store twice a second, whose
 * key status counts the values already under the new active key.
 */
import { useEffect, useState } from "preact/hooks";
import type { RotateKeyReport, StoreInfo } from "../api.js";
import type { Session } from "../session.js";
import { ErrorBox } from "./error-box.js";

export function Store({ session }: { session: Session }) {
  const [info, setInfo] = useState<StoreInfo | null>(null);
  const [report, setReport] = useState<RotateKeyReport | null>(null);
  const [rotating, setRotating] = useState(false);
  /** Values under the new key, of all values, while a rotation runs (null until its key exists). */
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function load() {
    try {
      setInfo(await session.api.storeInfo());
      setError(null);
    } catch (caught) {
      setError(caught);
    }
  }
  useEffect(() => {
    void load();
  }, []);

  async function rotate() {
    if (!confirm("Rotate the store's encryption key now? Every value is re-encrypted with a new key."))
      return;
    setRotating(true);
    setProgress(null);
    const before = info?.store.keys?.activeKeyId;
    const poll = setInterval(async () => {
      const keys = (await session.api.storeInfo().catch(() => null))?.store.keys;
      // Until the new key is active, every value is "on the active key": that is not progress.
      if (keys && keys.activeKeyId !== before) setProgress({ done: keys.rowsOnActiveKey, total: keys.rows });
    }, 500);
    try {
      setReport(await session.api.rotateKey());
      await load();
    } catch (caught) {
      setError(caught);
    } finally {
      clearInterval(poll);
      setRotating(false);
    }
  }

  return (
    <section aria-labelledby="store-title">
      <h1 id="store-title">Store</h1>
      <ErrorBox error={error} />
      {info ? (
        <>
          <dl class="metadata">
            <dt>Status</dt>
            <dd>{info.status}</dd>
            <dt>Backend</dt>
            <dd>{info.store.type}</dd>
            <dt>Health</dt>
            <dd>
              {info.store.health.status} ({Math.round(info.store.health.latencyMs)} ms)
              {info.store.health.message ? `: ${info.store.health.message}` : ""}
            </dd>
            {info.backup ? (
              <>
                <dt>Backup store</dt>
                <dd>
                  {info.backup.type}
                  {info.backup.health ? `, ${info.backup.health.status}` : ""}
                </dd>
              </>
            ) : null}
            {info.deploymentId ? (
              <>
                <dt>Deployment</dt>
                <dd>
                  <code>{info.deploymentId}</code>
                </dd>
              </>
            ) : null}
            {info.store.keys ? (
              <>
                <dt>Encryption keys</dt>
                <dd>
                  {info.store.keys.keyCount} from {info.store.keys.source}; active{" "}
                  <code>{info.store.keys.activeKeyId}</code>
                  {info.store.keys.missing ? `; ${info.store.keys.missing} missing` : ""}.{" "}
                  {info.store.keys.rowsOnActiveKey} of {info.store.keys.rows} values under the active key.
                </dd>
              </>
            ) : null}
          </dl>
          <h2>Capabilities</h2>
          <table>
            <caption class="visually-hidden">Capabilities of the {info.store.type} store</caption>
            <tbody>
              {Object.entries(info.store.capabilities).map(([name, value]) => (
                <tr key={name}>
                  <th scope="row">{name}</th>
                  <td>{String(value)}</td>
                </tr>
              ))}
              <tr>
                <th scope="row">keyRotation</th>
                <td>{String(info.store.keyRotation)}</td>
              </tr>
            </tbody>
          </table>
          {session.me.role === "admin" && info.store.keyRotation ? (
            <>
              <h2>Key rotation</h2>
              <button type="button" onClick={rotate} disabled={rotating}>
                Rotate the encryption key
              </button>
              {rotating ? (
                <p role="status">
                  Rotating: every value is being re-encrypted…{" "}
                  {progress ? (
                    <>
                      <progress max={progress.total} value={progress.done} aria-label="Values re-encrypted" />{" "}
                      {progress.done} of {progress.total} under the new key
                    </>
                  ) : null}
                </p>
              ) : report ? (
                <p role="status">
                  Rotated from <code>{report.previousKeyId}</code> to <code>{report.activeKeyId}</code>:{" "}
                  {report.reencrypted} re-encrypted, {report.skipped} skipped, {report.remaining} remaining,{" "}
                  {report.unreadable.length} unreadable, in {report.batches} batches.
                </p>
              ) : null}
            </>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
