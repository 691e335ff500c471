/** The reference's paged answer `{pageCount, pageNum, total, size, items}`. */
export type Page<T> = {
  pageCount: number;
  pageNum: number;
  total: number;
  /** The page size asked for. */
  size: number;
  items: T[];
};

export function pageOf<T>(items: T[], total: number, pageNum: number, pageSize: number): Page<T> {
  return { pageCount: Math.ceil(total / pageSize), pageNum, total, size: pageSize, items };
}
