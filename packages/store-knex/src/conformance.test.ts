import { storeConformance } from "@hookline/core/testing";
import { describeTargets, dropTables, testTargets, uniquePrefix } from "./__fixtures__/databases.js";
import { knexStore } from "./knex-store.js";

const targets = await testTargets();

describeTargets(targets, "knexStore", (target) => {
  const prefix = uniquePrefix("cf");
  storeConformance(`knexStore on ${target.name}`, {
    create: () => knexStore({ knex: target.config(), tablePrefix: prefix }),
    destroy: () => dropTables(target.config(), prefix),
  });
});
