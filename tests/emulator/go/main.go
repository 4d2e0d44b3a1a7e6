// Conformance through the Go SDK (github.com/databricks/databricks-sdk-go): list/get/create/delete
// of jobs and pipelines, paging and error codes. Built and run by tests/emulator/test_go_sdk.py
// against an emulator it starts; prints one JSON object: {"passed": [...], "failed": [...]}.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/databricks/databricks-sdk-go"
	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/jobs"
	"github.com/databricks/databricks-sdk-go/service/pipelines"
)

type failure struct {
	Name  string `json:"name"`
	Error string `json:"error"`
}

var results = struct {
	Passed []string  `json:"passed"`
	Failed []failure `json:"failed"`
}{Passed: []string{}, Failed: []failure{}}

func check(ok bool, format string, args ...any) error {
	if !ok {
		return fmt.Errorf(format, args...)
	}
	return nil
}

func refused(err error, status int, code string) error {
	var aerr *apierr.APIError
	if err == nil {
		return fmt.Errorf("expected %d %s, but the call succeeded", status, code)
	}
	if !errors.As(err, &aerr) {
		return fmt.Errorf("not an APIError: %v", err)
	}
	return check(aerr.StatusCode == status && aerr.ErrorCode == code, "expected %d %s, got %d %s: %s",
		status, code, aerr.StatusCode, aerr.ErrorCode, aerr.Message)
}

func test(name string, body func() error) {
	if err := body(); err != nil {
		results.Failed = append(results.Failed, failure{name, err.Error()})
		return
	}
	results.Passed = append(results.Passed, name)
}

func main() {
	ctx := context.Background()
	w, err := databricks.NewWorkspaceClient(&databricks.Config{
		Host: os.Getenv("DATABRICKS_HOST"), Token: os.Getenv("DATABRICKS_TOKEN"), AuthType: "pat",
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	nb := func(key string) jobs.Task {
		return jobs.Task{TaskKey: key, NotebookTask: &jobs.NotebookTask{NotebookPath: "/Shared/" + key}}
	}

	test("jobs create/get/list/delete", func() error {
		created, err := w.Jobs.Create(ctx, jobs.CreateJob{Name: "go-job", Tasks: []jobs.Task{nb("a")}})
		if err != nil {
			return err
		}
		job, err := w.Jobs.GetByJobId(ctx, created.JobId)
		if err != nil {
			return err
		}
		if err := check(job.Settings.Name == "go-job" && job.Settings.Tasks[0].TaskKey == "a", "got %+v", job.Settings); err != nil {
			return err
		}
		listed, err := w.Jobs.ListAll(ctx, jobs.ListJobsRequest{Name: "go-job"})
		if err != nil {
			return err
		}
		if err := check(len(listed) == 1 && listed[0].JobId == created.JobId, "listed %+v", listed); err != nil {
			return err
		}
		if err := w.Jobs.DeleteByJobId(ctx, created.JobId); err != nil {
			return err
		}
		_, err = w.Jobs.GetByJobId(ctx, created.JobId)
		return refused(err, 400, "INVALID_PARAMETER_VALUE")
	})

	test("jobs list pages", func() error {
		var ids []int64
		for i := 0; i < 7; i++ {
			created, err := w.Jobs.Create(ctx, jobs.CreateJob{Name: fmt.Sprintf("go-page-%d", i)})
			if err != nil {
				return err
			}
			ids = append(ids, created.JobId)
		}
		listed, err := w.Jobs.ListAll(ctx, jobs.ListJobsRequest{Limit: 3})
		if err != nil {
			return err
		}
		return check(len(listed) == 7 && listed[0].JobId == ids[0] && listed[6].JobId == ids[6], "listed %d", len(listed))
	})

	test("jobs refusals", func() error {
		_, err := w.Jobs.Create(ctx, jobs.CreateJob{Name: "dup", Tasks: []jobs.Task{nb("a"), nb("a")}})
		if err := refused(err, 400, "INVALID_PARAMETER_VALUE"); err != nil {
			return err
		}
		_, err = w.Jobs.Create(ctx, jobs.CreateJob{Name: "mcr", MaxConcurrentRuns: 1001})
		if err := refused(err, 400, "INVALID_PARAMETER_VALUE"); err != nil {
			return err
		}
		return refused(w.Jobs.DeleteByJobId(ctx, 987654), 400, "INVALID_PARAMETER_VALUE")
	})

	test("runs", func() error {
		created, err := w.Jobs.Create(ctx, jobs.CreateJob{Name: "go-runs", Tasks: []jobs.Task{nb("a")}})
		if err != nil {
			return err
		}
		run, err := w.Jobs.RunNowAndWait(ctx, jobs.RunNow{JobId: created.JobId})
		if err != nil {
			return err
		}
		if err := check(run.RunName == "go-runs" && len(run.Tasks) == 1 && run.State.ResultState == jobs.RunResultStateSuccess, "run %+v", run); err != nil {
			return err
		}
		runs, err := w.Jobs.ListRunsAll(ctx, jobs.ListRunsRequest{JobId: created.JobId})
		if err != nil {
			return err
		}
		if err := check(len(runs) == 1 && runs[0].RunId == run.RunId, "runs %+v", runs); err != nil {
			return err
		}
		_, err = w.Jobs.GetRun(ctx, jobs.GetRunRequest{RunId: 424242})
		return refused(err, 400, "INVALID_PARAMETER_VALUE")
	})

	test("pipelines create/get/list/delete and paging", func() error {
		var ids []string
		for i := 0; i < 5; i++ {
			created, err := w.Pipelines.Create(ctx, pipelines.CreatePipeline{Name: fmt.Sprintf("go_page_%d", i), Catalog: "main", Schema: "s"})
			if err != nil {
				return err
			}
			ids = append(ids, created.PipelineId)
		}
		got, err := w.Pipelines.GetByPipelineId(ctx, ids[0])
		if err != nil {
			return err
		}
		if err := check(got.Name == "go_page_0" && got.Spec.Schema == "s" && got.State == pipelines.PipelineStateIdle, "got %+v", got); err != nil {
			return err
		}
		listed, err := w.Pipelines.ListPipelinesAll(ctx, pipelines.ListPipelinesRequest{Filter: "name LIKE 'go_page_%'", MaxResults: 2})
		if err != nil {
			return err
		}
		if err := check(len(listed) == 5, "listed %d", len(listed)); err != nil {
			return err
		}
		if err := w.Pipelines.DeleteByPipelineId(ctx, ids[0]); err != nil {
			return err
		}
		_, err = w.Pipelines.GetByPipelineId(ctx, ids[0])
		return refused(err, 404, "RESOURCE_DOES_NOT_EXIST")
	})

	test("pipelines refusals", func() error {
		if _, err := w.Pipelines.Create(ctx, pipelines.CreatePipeline{Name: "go_dup"}); err != nil {
			return err
		}
		_, err := w.Pipelines.Create(ctx, pipelines.CreatePipeline{Name: "go_dup"})
		if err := refused(err, 409, "RESOURCE_CONFLICT"); err != nil {
			return err
		}
		_, err = w.Pipelines.Create(ctx, pipelines.CreatePipeline{Name: "go_bad", Target: "a.b"})
		return refused(err, 400, "INVALID_PARAMETER_VALUE")
	})

	out, _ := json.Marshal(results)
	fmt.Println(string(out))
}
