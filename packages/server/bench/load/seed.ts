/**
 * Seeds the benches' secrets through the API: `bench-0` … `bench-<count-1>`, each with fake values,
 * `concurrency` requests at a time, spread over `urls` (one server, or every replica in turn).
 * `Prefer: return=minimal`: the replies carry no values, as a client that does not need them asks.
 */
export async function seedSecrets(
  urls: string[],
  token: string,
  count: number,
  concurrency: number,
): Promise<void> {
  const headers = {
    authorization: `Bearer ${token}`,
    "content-type": "application/json",
    prefer: "return=minimal",
  };
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const response = await fetch(`${urls[i % urls.length]}/api/v1/secrets`, {
          method: "POST",
          headers,
          body: JSON.stringify({
            name: `bench-${i}`,
            values: { user: `fake-user-${i}`, password: `fake-pw-${i}` },
          }),
        });
        if (response.status !== 201)
          throw new Error(`seeding failed: ${response.status} ${await response.text()}`);
        await response.arrayBuffer();
      }
    }),
  );
}
