import { useSearchParams } from "@remix-run/react";
import { createTable, flexRender, getCoreRowModel, type DisplayColumnDef, type Table } from "@tanstack/react-table";
import type { ReactNode } from "react";
import { FastLink } from "~/components/fast-link";

// The one table component. Sorting, filtering and paging happen on the server from the URL, so
// TanStack Table holds the columns and the header groups ("manual" modes) and the headers are
// plain links (FastLink: a table renders many).
//
// The body is laid out from TanStack's leaf columns and the rows as given, not from its row
// model: TanStack builds every row and cell with a closure per method of each of its features
// (sorting, grouping, pinning, selection…), about 600 KB of short-lived objects for a 25-row
// table, three times the time of rendering the cells themselves. Nothing here uses those
// methods, so a cell gets only what it reads: its row's data (CellProps).

/** What a cell is rendered from. */
export type CellProps<T> = { row: { original: T; id: string; index: number } };

export type SortableColumn<T> = Omit<DisplayColumnDef<T>, "cell"> & {
  id: string;
  cell: (props: CellProps<T>) => ReactNode;
  meta?: { sortKey?: string; className?: string };
};

type Props<T> = {
  caption: string;
  columns: SortableColumn<T>[];
  rows: T[];
  sort: string;
  dir: "asc" | "desc";
  emptyMessage: string;
  getRowId: (row: T) => string;
};

/**
 * The TanStack table of a list of columns, made once per list and kept (a WeakMap keyed by the
 * columns array): the table holds only the columns and the header groups here, which depend on
 * nothing else, and making one builds every column with every feature's methods. Routes declare
 * their columns once, as constants, so a page's table is made once per server process.
 */
const tablesByColumns = new WeakMap<object, Table<never>>();

function tableOf<T>(columns: SortableColumn<T>[]): Table<T> {
  let table = tablesByColumns.get(columns) as Table<T> | undefined;
  if (!table) {
    const made = createTable<T>({
      data: [],
      columns,
      getCoreRowModel: getCoreRowModel(),
      manualSorting: true,
      manualFiltering: true,
      manualPagination: true,
      state: {},
      onStateChange: () => {},
      renderFallbackValue: null,
    });
    made.setOptions((options) => ({ ...options, state: made.initialState }));
    table = made;
    tablesByColumns.set(columns, made as unknown as Table<never>);
  }
  return table;
}

export function DataTable<T>({ caption, columns, rows, sort, dir, emptyMessage, getRowId }: Props<T>) {
  const table = tableOf(columns);
  const leafColumns = table.getAllLeafColumns();
  const [searchParams] = useSearchParams();

  const sortHref = (key: string) => {
    const next = new URLSearchParams(searchParams);
    const nextDir = sort === key && dir === "asc" ? "desc" : "asc";
    next.set("sort", key);
    next.set("dir", nextDir);
    next.delete("page");
    return `?${next.toString()}`;
  };

  return (
    <div className="overflow-x-auto rounded-lg border border-stone-200 bg-white shadow-sm">
      <table className="w-full min-w-[40rem] text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-stone-100 text-stone-700">
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => {
                const meta = (header.column.columnDef as SortableColumn<T>).meta;
                const key = meta?.sortKey;
                const active = key !== undefined && key === sort;
                const label = flexRender(header.column.columnDef.header, header.getContext());
                return (
                  <th
                    key={header.id}
                    scope="col"
                    className={`px-3 py-2 font-medium ${meta?.className ?? ""}`}
                    aria-sort={active ? (dir === "asc" ? "ascending" : "descending") : undefined}
                  >
                    {key ? (
                      <FastLink to={sortHref(key)} className="text-stone-800" keepScroll>
                        {label}
                        <span aria-hidden="true">{active ? (dir === "asc" ? " ▲" : " ▼") : ""}</span>
                        <span className="sr-only">{active ? `(sorted ${dir === "asc" ? "ascending" : "descending"})` : "(sort)"}</span>
                      </FastLink>
                    ) : (
                      label
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length} className="px-3 py-6 text-center text-stone-600">
                {emptyMessage}
              </td>
            </tr>
          ) : (
            rows.map((original, index) => {
              const props: CellProps<T> = { row: { original, id: getRowId(original), index } };
              return (
                <tr key={props.row.id} className="border-t border-stone-100 hover:bg-stone-50">
                  {leafColumns.map((column) => {
                    const def = column.columnDef as SortableColumn<T>;
                    return (
                      <td key={column.id} className={`px-3 py-2 ${def.meta?.className ?? ""}`}>
                        {flexRender(def.cell, props)}
                      </td>
                    );
                  })}
                </tr>
              );
            })
          )}
        </tbody>
      </table>
    </div>
  );
}

export function Pagination({ page, perPage, total, label }: { page: number; perPage: number; total: number; label: string }) {
  const [searchParams] = useSearchParams();
  const pages = Math.max(1, Math.ceil(total / perPage));
  const href = (p: number) => {
    const next = new URLSearchParams(searchParams);
    next.set("page", String(p));
    return `?${next.toString()}`;
  };
  const first = total === 0 ? 0 : (page - 1) * perPage + 1;
  const last = Math.min(total, page * perPage);
  return (
    <nav aria-label={`Pages of ${label}`} className="flex flex-wrap items-center justify-between gap-3 text-sm">
      <p>
        {total === 0 ? `No ${label}` : `Showing ${first}–${last} of ${total} ${label}`}
        {pages > 1 ? ` · page ${page} of ${pages}` : ""}
      </p>
      <div className="flex gap-2">
        {page > 1 ? (
          <FastLink className="btn-secondary" to={href(page - 1)} rel="prev">
            Previous page
          </FastLink>
        ) : null}
        {page < pages ? (
          <FastLink className="btn-secondary" to={href(page + 1)} rel="next">
            Next page
          </FastLink>
        ) : null}
      </div>
    </nav>
  );
}
