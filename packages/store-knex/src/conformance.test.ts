import { storeConformance } from "@hookline/core/testing";
import { knexStore } from "./knex-store.js";
import { describeTargets, dropTables, testTargets, uniquePrefix } from "./testing/databases.js";

const targets = await testTargets();

describeTargets(targets, "knexStore", (target) => {
  const prefix = uniquePrefix("cf");
  storeConformance(`knexStore on ${target.name}`, {
    create: () => knexStore({ knex: target.config(), tablePrefix: prefix }),
    destroy: () => dropTables(target.config(), prefix),
  });
});
