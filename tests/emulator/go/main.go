// Conformance through the Go SDK (github.com/databricks/databricks-sdk-go): list/get/create/delete
// of jobs and pipelines, paging and error codes; Unity Catalog shares (objects, at most 100 a
// PATCH), recipients and share permissions; a workspace file. Built and run by tests/emulator/test_go_sdk.py
// against an emulator it starts; prints one JSON object: {"passed": [...], "failed": [...]}.
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/databricks/databricks-sdk-go"
	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/jobs"
	"github.com/databricks/databricks-sdk-go/service/pipelines"
	"github.com/databricks/databricks-sdk-go/service/sharing"
	"github.com/databricks/databricks-sdk-go/service/workspace"
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

	add := func(name string) sharing.SharedDataObjectUpdate {
		return sharing.SharedDataObjectUpdate{
			Action:     sharing.SharedDataObjectUpdateActionAdd,
			DataObject: &sharing.SharedDataObject{Name: name, DataObjectType: sharing.SharedDataObjectDataObjectTypeTable},
		}
	}

	test("shares create/get/update/list/delete", func() error {
		created, err := w.Shares.Create(ctx, sharing.CreateShare{Name: "Go_Share", Comment: "from go"})
		if err != nil {
			return err
		}
		// Unity Catalog keeps names lower-case and compares them case-insensitively.
		if err := check(created.Name == "go_share", "created %+v", created); err != nil {
			return err
		}
		_, err = w.Shares.Create(ctx, sharing.CreateShare{Name: "GO_SHARE"})
		if err := refused(err, 400, "RESOURCE_ALREADY_EXISTS"); err != nil {
			return err
		}
		updated, err := w.Shares.Update(ctx, sharing.UpdateShare{Name: "go_share", Updates: []sharing.SharedDataObjectUpdate{add("main.go.orders")}})
		if err != nil {
			return err
		}
		if err := check(len(updated.Objects) == 1 && updated.Objects[0].SharedAs == "go.orders", "updated %+v", updated.Objects); err != nil {
			return err
		}
		var many []sharing.SharedDataObjectUpdate
		for i := 0; i < 101; i++ {
			many = append(many, add(fmt.Sprintf("main.go.t%d", i)))
		}
		_, err = w.Shares.Update(ctx, sharing.UpdateShare{Name: "go_share", Updates: many})
		if err := refused(err, 400, "INVALID_PARAMETER_VALUE"); err != nil {
			return err
		}
		_, err = w.Shares.Update(ctx, sharing.UpdateShare{Name: "go_share", Updates: []sharing.SharedDataObjectUpdate{add("MAIN.GO.ORDERS")}})
		if err := refused(err, 400, "RESOURCE_ALREADY_EXISTS"); err != nil {
			return err
		}
		_, err = w.Shares.Update(ctx, sharing.UpdateShare{Name: "go_share"})
		if err := refused(err, 400, "INVALID_PARAMETER_VALUE"); err != nil {
			return err
		}
		got, err := w.Shares.Get(ctx, sharing.GetShareRequest{Name: "GO_SHARE", IncludeSharedData: true})
		if err != nil {
			return err
		}
		if err := check(got.Comment == "from go" && len(got.Objects) == 1, "got %+v", got); err != nil {
			return err
		}
		if _, err := w.Shares.Create(ctx, sharing.CreateShare{Name: "go_other"}); err != nil {
			return err
		}
		listed, err := w.Shares.ListSharesAll(ctx, sharing.SharesListRequest{MaxResults: 1})
		if err != nil {
			return err
		}
		if err := check(len(listed) == 2 && listed[0].Name == "go_other" && listed[1].Name == "go_share", "listed %+v", listed); err != nil {
			return err
		}
		if err := w.Shares.DeleteByName(ctx, "go_share"); err != nil {
			return err
		}
		_, err = w.Shares.GetByName(ctx, "go_share")
		return refused(err, 404, "SHARE_DOES_NOT_EXIST")
	})

	test("recipients and share permissions", func() error {
		created, err := w.Recipients.Create(ctx, sharing.CreateRecipient{
			Name: "Go_Partner", AuthenticationType: sharing.AuthenticationTypeToken,
			IpAccessList: &sharing.IpAccessList{AllowedIpAddresses: []string{"203.0.113.7"}},
		})
		if err != nil {
			return err
		}
		if err := check(created.Name == "go_partner" && len(created.Tokens) == 1, "created %+v", created); err != nil {
			return err
		}
		_, err = w.Recipients.Update(ctx, sharing.UpdateRecipient{Name: "go_partner", IpAccessList: &sharing.IpAccessList{AllowedIpAddresses: []string{"not-an-ip"}}})
		if err := refused(err, 400, "INVALID_PARAMETER_VALUE"); err != nil {
			return err
		}
		if _, err := w.Recipients.Update(ctx, sharing.UpdateRecipient{Name: "GO_PARTNER", Comment: "updated"}); err != nil {
			return err
		}
		got, err := w.Recipients.GetByName(ctx, "go_partner")
		if err != nil {
			return err
		}
		if err := check(got.Comment == "updated" && len(got.IpAccessList.AllowedIpAddresses) == 1, "got %+v", got); err != nil {
			return err
		}
		listed, err := w.Recipients.ListAll(ctx, sharing.ListRecipientsRequest{})
		if err != nil {
			return err
		}
		if err := check(len(listed) == 1 && listed[0].Name == "go_partner", "listed %+v", listed); err != nil {
			return err
		}
		if _, err := w.Shares.Create(ctx, sharing.CreateShare{Name: "go_granted"}); err != nil {
			return err
		}
		changes := []sharing.PermissionsChange{{Principal: "Go_Partner", Add: []string{"SELECT"}}}
		if _, err := w.Shares.UpdatePermissions(ctx, sharing.UpdateSharePermissions{Name: "go_granted", Changes: changes}); err != nil {
			return err
		}
		held, err := w.Shares.SharePermissionsByName(ctx, "go_granted")
		if err != nil {
			return err
		}
		if err := check(len(held.PrivilegeAssignments) == 1 && held.PrivilegeAssignments[0].Principal == "go_partner", "held %+v", held); err != nil {
			return err
		}
		theirs, err := w.Recipients.SharePermissionsByName(ctx, "go_partner")
		if err != nil {
			return err
		}
		if err := check(len(theirs.PermissionsOut) == 1 && theirs.PermissionsOut[0].ShareName == "go_granted", "theirs %+v", theirs); err != nil {
			return err
		}
		bad := []sharing.PermissionsChange{{Principal: "go_partner", Add: []string{"MODIFY"}}}
		_, err = w.Shares.UpdatePermissions(ctx, sharing.UpdateSharePermissions{Name: "go_granted", Changes: bad})
		if err := refused(err, 400, "INVALID_PARAMETER_VALUE"); err != nil {
			return err
		}
		if err := w.Recipients.DeleteByName(ctx, "go_partner"); err != nil {
			return err
		}
		held, err = w.Shares.SharePermissionsByName(ctx, "go_granted")
		if err != nil {
			return err
		}
		if err := check(len(held.PrivilegeAssignments) == 0, "a deleted recipient's grant stayed: %+v", held); err != nil {
			return err
		}
		_, err = w.Recipients.GetByName(ctx, "go_partner")
		return refused(err, 404, "RECIPIENT_DOES_NOT_EXIST")
	})

	test("workspace file import/get-status/export/list/delete", func() error {
		content := base64.StdEncoding.EncodeToString([]byte("name: go\n"))
		if err := w.Workspace.MkdirsByPath(ctx, "/Shared/go"); err != nil {
			return err
		}
		file := workspace.Import{Path: "/Shared/go/conf.yml", Content: content, Format: workspace.ImportFormatRaw}
		if err := w.Workspace.Import(ctx, file); err != nil {
			return err
		}
		if err := refused(w.Workspace.Import(ctx, file), 400, "RESOURCE_ALREADY_EXISTS"); err != nil {
			return err
		}
		noLanguage := workspace.Import{Path: "/Shared/go/nb", Content: content, Format: workspace.ImportFormatSource}
		if err := refused(w.Workspace.Import(ctx, noLanguage), 400, "INVALID_PARAMETER_VALUE"); err != nil {
			return err
		}
		status, err := w.Workspace.GetStatusByPath(ctx, "/Shared/go/conf.yml")
		if err != nil {
			return err
		}
		if err := check(status.ObjectType == workspace.ObjectTypeFile, "status %+v", status); err != nil {
			return err
		}
		exported, err := w.Workspace.Export(ctx, workspace.ExportRequest{Path: "/Shared/go/conf.yml", Format: workspace.ExportFormatAuto})
		if err != nil {
			return err
		}
		if err := check(exported.Content == content, "exported %+v", exported); err != nil {
			return err
		}
		listed, err := w.Workspace.ListAll(ctx, workspace.ListWorkspaceRequest{Path: "/Shared/go"})
		if err != nil {
			return err
		}
		if err := check(len(listed) == 1 && listed[0].Path == "/Shared/go/conf.yml", "listed %+v", listed); err != nil {
			return err
		}
		if err := w.Workspace.Delete(ctx, workspace.Delete{Path: "/Shared/go", Recursive: true}); err != nil {
			return err
		}
		_, err = w.Workspace.GetStatusByPath(ctx, "/Shared/go/conf.yml")
		return refused(err, 404, "RESOURCE_DOES_NOT_EXIST")
	})

	out, _ := json.Marshal(results)
	fmt.Println(string(out))
}
