// Conformance through the JavaScript SDK (@databricks/sdk-experimental): list/get/create/delete of
// jobs and pipelines, paging, and error codes. Run by tests/emulator/test_js_sdk.py against an
// emulator it starts; prints one JSON object: {"passed": [...], "failed": [{name, error}]}.
import {createRequire} from "node:module";

const require = createRequire(process.env.SDK_NODE_MODULES + "/");
const sdk = require("@databricks/sdk-experimental");
const {WorkspaceClient, ApiError} = sdk;

const client = new WorkspaceClient({
    host: process.env.DATABRICKS_HOST,
    token: process.env.DATABRICKS_TOKEN,
    authType: "pat",
});
const results = {passed: [], failed: []};

function check(condition, message) {
    if (!condition) throw new Error(message);
}

async function all(iterable) {
    const out = [];
    for await (const item of iterable) out.push(item);
    return out;
}

async function refused(promise, status, code) {
    try {
        await promise;
    } catch (error) {
        const got = [error.statusCode, error.errorCode];
        check(error instanceof ApiError || error.statusCode, `not an ApiError: ${error}`);
        check(got[0] === status && got[1] === code, `expected ${status} ${code}, got ${got}: ${error.message}`);
        return;
    }
    throw new Error(`expected ${status} ${code}, but the call succeeded`);
}

async function test(name, body) {
    try {
        await body();
        results.passed.push(name);
    } catch (error) {
        results.failed.push({name, error: String(error && error.stack ? error.stack : error)});
    }
}

await test("jobs create/get/list/delete", async () => {
    const {job_id} = await client.jobs.create({
        name: "js-job",
        tasks: [{task_key: "a", notebook_task: {notebook_path: "/Shared/a"}}],
        tags: {team: "js"},
    });
    const job = await client.jobs.get({job_id});
    check(job.settings.name === "js-job" && job.settings.tasks[0].task_key === "a", JSON.stringify(job));
    check(job.settings.tags.team === "js", "tags lost");
    const listed = await all(client.jobs.list({name: "js-job"}));
    check(listed.length === 1 && listed[0].job_id === job_id, JSON.stringify(listed));
    await client.jobs.delete({job_id});
    await refused(client.jobs.get({job_id}), 400, "INVALID_PARAMETER_VALUE");
});

await test("jobs list pages", async () => {
    const ids = [];
    for (let i = 0; i < 7; i++) ids.push((await client.jobs.create({name: `page-${i}`})).job_id);
    const listed = await all(client.jobs.list({limit: 3}));
    const got = listed.map((j) => j.job_id).filter((id) => ids.includes(id));
    check(JSON.stringify(got) === JSON.stringify(ids), `paged ${JSON.stringify(got)}`);
    for (const job_id of ids) await client.jobs.delete({job_id});
});

await test("jobs refusals", async () => {
    await refused(
        client.jobs.create({
            name: "dup",
            tasks: [
                {task_key: "a", notebook_task: {notebook_path: "/a"}},
                {task_key: "a", notebook_task: {notebook_path: "/a"}},
            ],
        }),
        400,
        "INVALID_PARAMETER_VALUE",
    );
    await refused(client.jobs.create({name: "mcr", max_concurrent_runs: 1001}), 400, "INVALID_PARAMETER_VALUE");
    await refused(client.jobs.delete({job_id: 987654}), 400, "INVALID_PARAMETER_VALUE");
});

await test("runs list pages and get", async () => {
    const {job_id} = await client.jobs.create({name: "js-runs"});
    const runs = [];
    for (let i = 0; i < 4; i++) {
        const waiter = await client.jobs.runNow({job_id});
        runs.push(waiter.run_id);
    }
    const listed = await all(client.jobs.listRuns({job_id, limit: 3}));
    check(JSON.stringify(listed.map((r) => r.run_id)) === JSON.stringify([...runs].reverse()), JSON.stringify(listed));
    const run = await client.jobs.getRun({run_id: runs[0]});
    check(run.run_name === "js-runs" && run.job_id === job_id, JSON.stringify(run));
    await refused(client.jobs.getRun({run_id: 424242}), 400, "INVALID_PARAMETER_VALUE");
});

await test("pipelines create/get/list/delete", async () => {
    const {pipeline_id} = await client.pipelines.create({name: "js_pipeline", catalog: "main", schema: "s"});
    const got = await client.pipelines.get({pipeline_id});
    check(got.name === "js_pipeline" && got.spec.schema === "s" && got.state === "IDLE", JSON.stringify(got));
    const listed = await all(client.pipelines.listPipelines({filter: "name LIKE 'js_pipeline'"}));
    check(listed.length === 1 && listed[0].pipeline_id === pipeline_id, JSON.stringify(listed));
    await client.pipelines.delete({pipeline_id});
    await refused(client.pipelines.get({pipeline_id}), 404, "RESOURCE_DOES_NOT_EXIST");
});

await test("pipelines list pages", async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await client.pipelines.create({name: `js_page_${i}`})).pipeline_id);
    const listed = await all(client.pipelines.listPipelines({filter: "name LIKE 'js_page_%'", max_results: 2}));
    check(listed.length === 5 && ids.every((id) => listed.some((p) => p.pipeline_id === id)), JSON.stringify(listed));
    for (const pipeline_id of ids) await client.pipelines.delete({pipeline_id});
});

await test("pipelines refusals and updates", async () => {
    const {pipeline_id} = await client.pipelines.create({name: "js_dup"});
    await refused(client.pipelines.create({name: "js_dup"}), 409, "RESOURCE_CONFLICT");
    await refused(client.pipelines.create({name: "js_bad", target: "a.b"}), 400, "INVALID_PARAMETER_VALUE");
    await refused(client.pipelines.create({name: "js_bad", edition: "NOPE"}), 400, "INVALID_PARAMETER_VALUE");
    const {update_id} = await client.pipelines.startUpdate({pipeline_id});
    const {updates} = await client.pipelines.listUpdates({pipeline_id});
    check(updates.length === 1 && updates[0].update_id === update_id, JSON.stringify(updates));
    const {update} = await client.pipelines.getUpdate({pipeline_id, update_id});
    check(update.update_id === update_id, JSON.stringify(update));
});

await test("unauthenticated", async () => {
    const wrong = new WorkspaceClient({host: process.env.DATABRICKS_HOST, token: "wrong", authType: "pat"});
    await refused(wrong.jobs.get({job_id: 1}), 403, "PERMISSION_DENIED");
});

console.log(JSON.stringify(results));
