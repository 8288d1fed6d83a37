// A browser without JavaScript, over real HTTP: it keeps cookies, sends Origin and
// Sec-Fetch-Site like a browser does, and submits forms as they are rendered (hidden fields
// included), so a test or the load run needs to know only the fields a person fills in.

export type Page = { status: number; url: string; html: string; location: string | null; headers: Headers };

export type FormControl = { name: string; value: string; type: string; checked: boolean };
export type SubmitButton = { name: string; value: string };
export type HtmlForm = { action: string; method: string; controls: FormControl[]; buttons: SubmitButton[]; html: string };

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

export function decodeEntities(text: string) {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity[0] === "#") {
      const code = entity[1] === "x" || entity[1] === "X" ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
      return String.fromCodePoint(code);
    }
    return ENTITIES[entity.toLowerCase()] ?? whole;
  });
}

function attributes(tag: string): Record<string, string> {
  const found: Record<string, string> = {};
  const body = tag.replace(/^<\w+/, "").replace(/\/?>$/, "");
  for (const match of body.matchAll(/([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
    found[match[1]!.toLowerCase()] = decodeEntities(match[2] ?? match[3] ?? match[4] ?? "");
  }
  return found;
}

/** The forms of a page, each with its controls' default values and its submit buttons. */
export function parseForms(html: string, pageUrl: string): HtmlForm[] {
  const forms: HtmlForm[] = [];
  for (const match of html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/gi)) {
    const formHtml = match[0];
    const formAttributes = attributes(/^<form\b[^>]*>/i.exec(formHtml)![0]);
    const controls: FormControl[] = [];
    const buttons: SubmitButton[] = [];
    for (const tag of formHtml.matchAll(/<(input|button|textarea|select)\b[^>]*>/gi)) {
      const kind = tag[1]!.toLowerCase();
      const a = attributes(tag[0]);
      if (!a.name || "disabled" in a) continue;
      if (kind === "button" || (kind === "input" && (a.type === "submit" || a.type === "image"))) {
        if ((a.type ?? "submit") === "submit") buttons.push({ name: a.name, value: a.value ?? "" });
      } else if (kind === "textarea") {
        const rest = formHtml.slice(tag.index! + tag[0].length);
        const content = rest.slice(0, rest.search(/<\/textarea>/i));
        // A newline right after <textarea> is not part of the value.
        controls.push({ name: a.name, value: decodeEntities(content.replace(/^\r?\n/, "")), type: "textarea", checked: true });
      } else if (kind === "select") {
        const rest = formHtml.slice(tag.index! + tag[0].length);
        const options = [...rest.slice(0, rest.search(/<\/select>/i)).matchAll(/<option\b[^>]*>/gi)].map((o) => attributes(o[0]));
        const chosen = options.find((o) => "selected" in o) ?? options[0];
        controls.push({ name: a.name, value: chosen?.value ?? "", type: "select", checked: true });
      } else {
        const type = (a.type ?? "text").toLowerCase();
        const checkable = type === "checkbox" || type === "radio";
        controls.push({ name: a.name, value: a.value ?? (checkable ? "on" : ""), type, checked: checkable ? "checked" in a : true });
      }
    }
    forms.push({
      action: new URL(formAttributes.action || pageUrl, pageUrl).toString(),
      method: (formAttributes.method ?? "get").toLowerCase(),
      controls,
      buttons,
      html: formHtml,
    });
  }
  return forms;
}

/** The values a form sends: its defaults, with `fill` replacing fields by name, plus the clicked button. */
export function formBody(form: HtmlForm, fill: Record<string, string | string[]> = {}, button?: SubmitButton) {
  const body = new URLSearchParams();
  for (const control of form.controls) {
    if (control.checked && !(control.name in fill)) body.append(control.name, control.value);
  }
  for (const [name, value] of Object.entries(fill)) {
    for (const one of Array.isArray(value) ? value : [value]) body.append(name, one);
  }
  if (button) body.append(button.name, button.value);
  return body;
}

/** The text a person would read: tags dropped, entities decoded, spaces collapsed. */
export function visibleText(html: string) {
  return decodeEntities(
    html
      .replace(/<script\b[\s\S]*?<\/script>/gi, " ")
      .replace(/<style\b[\s\S]*?<\/style>/gi, " ")
      .replace(/<[^>]+>/g, " "),
  )
    .replace(/\s+/g, " ")
    .trim();
}

export class Browser {
  readonly cookies = new Map<string, string>();

  constructor(
    /** e.g. http://127.0.0.1:4130 — the origin this browser's requests come from. */
    public baseUrl: string,
    private readonly timeoutMs = 30_000,
  ) {}

  /** The Cookie header this browser sends. */
  cookieHeader() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  private keep(response: Response) {
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = cookie.split(";");
      const at = pair.indexOf("=");
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const expired = attributes.some((a) => {
        const [key = "", v = ""] = a.trim().split("=");
        if (key.toLowerCase() === "max-age") return Number(v) <= 0;
        if (key.toLowerCase() === "expires") return new Date(a.trim().slice(8)).getTime() <= Date.now();
        return false;
      });
      if (expired || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(path: string, init: { method?: string; body?: URLSearchParams } = {}): Promise<Page> {
    const url = new URL(path, this.baseUrl).toString();
    const method = init.method ?? (init.body ? "POST" : "GET");
    const headers: Record<string, string> = { "Sec-Fetch-Site": "same-origin", "User-Agent": "Cairn system test" };
    if (method !== "GET") headers.Origin = new URL(this.baseUrl).origin;
    if (init.body) headers["Content-Type"] = "application/x-www-form-urlencoded";
    const cookie = this.cookieHeader();
    if (cookie) headers.Cookie = cookie;
    const response = await fetch(url, { method, headers, body: init.body, redirect: "manual", signal: AbortSignal.timeout(this.timeoutMs) });
    this.keep(response);
    const html = await response.text();
    const location = response.headers.get("Location");
    return { status: response.status, url, html, location: location ? new URL(location, url).toString() : null, headers: response.headers };
  }

  get(path: string) {
    return this.request(path);
  }

  /** GET, following redirects like a browser (at most five). */
  async visit(path: string): Promise<Page> {
    let page = await this.request(path);
    for (let hops = 0; page.location && page.status >= 300 && page.status < 400 && hops < 5; hops++) page = await this.request(page.location);
    return page;
  }

  /** Posts a form as rendered, with `fill` and the clicked button. */
  submit(form: HtmlForm, fill: Record<string, string | string[]> = {}, button?: SubmitButton) {
    return this.request(form.action, { method: form.method.toUpperCase(), body: formBody(form, fill, button) });
  }

  /** Signs in through the login form; returns the answer to the post (a redirect when it worked). */
  async signIn(email: string, password: string) {
    const page = await this.get("/login");
    const form = parseForms(page.html, page.url).find((f) => f.controls.some((c) => c.name === "password"));
    if (!form) throw new Error(`no sign-in form on /login (status ${page.status})`);
    return this.submit(form, { email, password });
  }
}
