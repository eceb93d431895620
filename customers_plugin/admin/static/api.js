// The REST API client: every call goes to the plugin's public API with the host's own
// authentication (its session cookie, same origin) and the CSRF header the host's `authorize`
// checks on writes. The page's language travels as Accept-Language, so errors come translated.

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || String(status));
    this.status = status;
    this.code = error.code || "error";
    this.fields = error.fields || {};
  }
}

export function createClient({ api, csrfHeader, locale }) {
  async function call(method, path, { query, json, form } = {}) {
    const url = new URL(api + path, window.location.origin);
    if (query) {
      for (const [key, value] of query instanceof URLSearchParams ? query : Object.entries(query)) {
        if (value === null || value === undefined || value === "") continue;
        if (Array.isArray(value)) value.forEach((v) => url.searchParams.append(key, v));
        else url.searchParams.append(key, value);
      }
    }
    const headers = { Accept: "application/json", "Accept-Language": locale, [csrfHeader]: "1" };
    let body;
    if (json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(json);
    } else if (form) {
      body = form;
    }
    const response = await fetch(url, { method, headers, body, credentials: "same-origin" });
    if (response.status === 204) return null;
    const data = await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }
  return {
    url: (path) => api + path,
    get: (path, query) => call("GET", path, { query }),
    post: (path, json) => call("POST", path, { json: json ?? {} }),
    patch: (path, json) => call("PATCH", path, { json }),
    put: (path, form) => call("PUT", path, { form }),
    upload: (path, form) => call("POST", path, { form }),
    del: (path) => call("DELETE", path),
  };
}
