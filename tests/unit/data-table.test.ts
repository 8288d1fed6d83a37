import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { useSearchParams } from "react-router-dom";
import { createStaticHandler, createStaticRouter, StaticRouterProvider } from "react-router-dom/server";
import { describe, expect, it } from "vitest";
import { DataTable, type SortableColumn } from "~/components/data-table";

// The one table component: TanStack Table holds the columns and headers, and the body is laid
// out from its leaf columns and the rows as given. What a person sees must not depend on that.

type Row = { id: string; name: string; waiting: number };

function SearchEcho() {
  // A cell may use hooks: cells render as components.
  const [params] = useSearchParams();
  return createElement("span", null, `filter=${params.get("filter") ?? ""}`);
}

const columns: SortableColumn<Row>[] = [
  { id: "name", header: "Name", meta: { sortKey: "name" }, cell: ({ row }) => createElement("strong", null, row.original.name) },
  { id: "waiting", header: () => createElement("span", null, "Waiting"), meta: { className: "whitespace-nowrap" }, cell: ({ row }) => `${row.original.waiting} days` },
  { id: "place", header: "Place", cell: ({ row }) => `#${row.index + 1} (${row.id})` },
  { id: "echo", header: "Echo", cell: () => createElement(SearchEcho) },
];

async function render(rows: Row[], url = "/list?filter=mine&page=3", sort = "name", dir: "asc" | "desc" = "asc") {
  const Page = () =>
    createElement(DataTable<Row>, { caption: "People waiting", columns, rows, sort, dir, emptyMessage: "Nobody is waiting.", getRowId: (r) => `row-${r.id}` });
  const handler = createStaticHandler([{ path: "/list", Component: Page }]);
  const context = await handler.query(new Request(`http://cairn.test${url}`));
  if (context instanceof Response) throw new Error("expected a page");
  const router = createStaticRouter(handler.dataRoutes, context);
  return renderToStaticMarkup(createElement(StaticRouterProvider, { router, context, hydrate: false })).replaceAll("<!-- -->", "");
}

const cellsOf = (html: string) =>
  [...html.matchAll(/<tr[^>]*>(.*?)<\/tr>/g)].slice(1).map((m) => [...m[1]!.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1]));

describe("DataTable", () => {
  it("renders every row's cells in column order from the row's data", async () => {
    const html = await render([
      { id: "a", name: "Ana", waiting: 3 },
      { id: "b", name: "Bo", waiting: 12 },
    ]);
    expect(html).toContain('<caption class="sr-only">People waiting</caption>');
    expect(cellsOf(html)).toEqual([
      ["<strong>Ana</strong>", "3 days", "#1 (row-a)", "<span>filter=mine</span>"],
      ["<strong>Bo</strong>", "12 days", "#2 (row-b)", "<span>filter=mine</span>"],
    ]);
    // A column's class reaches its cells and its header.
    expect(html.match(/<td class="px-3 py-2 whitespace-nowrap">/g)).toHaveLength(2);
    expect(html).toContain('<th scope="col" class="px-3 py-2 font-medium whitespace-nowrap"><span>Waiting</span></th>');
  });

  it("makes sortable headers links that flip the direction, keep the filters and go back to page 1", async () => {
    const ascending = await render([{ id: "a", name: "Ana", waiting: 3 }]);
    expect(ascending).toContain('aria-sort="ascending"');
    expect(ascending).toContain('href="?filter=mine&amp;sort=name&amp;dir=desc"');
    expect(ascending).toContain("(sorted ascending)");
    const other = await render([{ id: "a", name: "Ana", waiting: 3 }], "/list?sort=waiting", "waiting", "desc");
    expect(other).not.toContain("aria-sort");
    expect(other).toContain('href="?sort=name&amp;dir=asc"');
    expect(other).toContain("(sort)");
  });

  it("lays out each render's own rows with a table kept per columns array", async () => {
    // The TanStack table is made once for `columns` and kept; the rows come from each render.
    const first = await render([{ id: "a", name: "Ana", waiting: 3 }]);
    const second = await render([
      { id: "c", name: "Cy", waiting: 1 },
      { id: "d", name: "Di", waiting: 2 },
    ]);
    expect(cellsOf(first).map((r) => r[0])).toEqual(["<strong>Ana</strong>"]);
    expect(cellsOf(second).map((r) => r[0])).toEqual(["<strong>Cy</strong>", "<strong>Di</strong>"]);
    expect(second.match(/<th /g)).toHaveLength(4);
  });

  it("says so when there are no rows, across every column", async () => {
    const html = await render([]);
    expect(html).toContain('<td colSpan="4" class="px-3 py-6 text-center text-stone-600">Nobody is waiting.</td>');
    expect(cellsOf(html)).toEqual([["Nobody is waiting."]]);
  });
});
