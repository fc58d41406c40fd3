/** Options of the `saga` schematic (schema.json). */
export interface SagaSchematicOptions {
  /** The flow's name. */
  name: string;
  /** Folder to create the flow's folder in, relative to the source root. */
  path?: string;
  /** Source root of the project; see `resolveSourceRoot`. */
  sourceRoot?: string;
  /** Project of nest-cli.json whose source root to generate in. */
  project?: string;
  /** Module file to import the flow's module into. @default the nearest module at or above the flow's folder */
  module?: string;
  /** Do not import the flow's module anywhere. @default false */
  skipImport?: boolean;
  /** Write the files into `path` itself, without a folder named after the flow. @default false */
  flat?: boolean;
  /** Generate the spec. @default true */
  spec?: boolean;
  /** Suffix of the spec file. @default 'spec' */
  specFileSuffix?: string;
  /** Format the files with the workspace's Prettier. @default true */
  format?: boolean;
}
