/** Options of the `task` schematic (schema.json). */
export interface TaskSchematicOptions {
  /** The flow to add the task to. Unset with `nest g`, which passes `<flow> <task>` as `name` and `path`. */
  flow?: string;
  /** The task's name; with `nest g`, the flow's. */
  name?: string;
  /** With `nest g`, the task's name; otherwise the folder to look for the flow in, from the source root. */
  path?: string;
  /** Source root of the project; see `resolveSourceRoot`. */
  sourceRoot?: string;
  /** Project of nest-cli.json whose source root to look in. */
  project?: string;
  /** Do not add the task's host to the flow's module. @default false */
  skipImport?: boolean;
  /** Format the files with the workspace's Prettier. @default true */
  format?: boolean;
}
