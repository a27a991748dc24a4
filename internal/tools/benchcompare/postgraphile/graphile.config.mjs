// PostGraphile 5 over the same tables BigLedger serves, for make
// bench-compare (the harness installs the pinned package.json beside this
// file into a cache directory and starts it with DATABASE_URL and PORT).
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";

export default {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ["public"],
      poolConfig: { max: 32 },
    }),
  ],
  grafserv: { port: Number(process.env.PORT), host: "127.0.0.1", graphiql: false },
  grafast: { explain: false },
};
