/** Users (admins): the list, adding a user with a role, changing a role, deleting a user. */
import { useEffect, useState } from "preact/hooks";
import { ROLES, type Role, type User } from "../api.js";
import type { Session } from "../session.js";
import { ErrorBox } from "./error-box.js";

export function Users({ session }: { session: Session }) {
  const [users, setUsers] = useState<User[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function run(action: () => Promise<unknown>) {
    try {
      await action();
      setUsers((await session.api.users()).users);
      setError(null);
    } catch (caught) {
      setError(caught);
    }
  }
  useEffect(() => {
    void run(async () => {});
  }, []);

  function add(event: Event) {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    void run(async () => {
      await session.api.createUser(String(data.get("name")), String(data.get("role")) as Role);
      form.reset();
    });
  }

  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">Users</h1>
      <ErrorBox error={error} />
      <form class="inline-form" onSubmit={add}>
        <label for="new-user-name">
          Name
          <input id="new-user-name" name="name" required autocomplete="off" />
        </label>
        <label for="new-user-role">
          Role
          <select id="new-user-role" name="role">
            {ROLES.map((role) => (
              <option value={role} key={role}>
                {role}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Add user</button>
      </form>
      {users ? (
        <table>
          <caption class="visually-hidden">Users</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Created</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.map((user) => (
              <tr key={user.id}>
                <td>{user.name}</td>
                <td>
                  <select
                    aria-label={`Role of ${user.name}`}
                    value={user.role}
                    onChange={(event) =>
                      run(() => session.api.setRole(user.name, event.currentTarget.value as Role))
                    }
                  >
                    {ROLES.map((role) => (
                      <option value={role} key={role}>
                        {role}
                      </option>
                    ))}
                  </select>
                </td>
                <td>{new Date(user.createdAt).toLocaleString()}</td>
                <td>
                  {user.id === session.me.userId ? null : (
                    <button
                      type="button"
                      class="danger"
                      onClick={() => {
                        if (confirm(`Delete user ${user.name} and revoke their tokens?`)) {
                          void run(() => session.api.deleteUser(user.name));
                        }
                      }}
                    >
                      Delete {user.name}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
