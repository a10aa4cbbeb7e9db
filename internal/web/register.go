package web

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/askfirst/askfirst/internal/api"
	"github.com/askfirst/askfirst/internal/identify"
	"github.com/askfirst/askfirst/internal/registry"
)

// Registering works. The page's JavaScript computes the codes in Web
// Workers running the WebAssembly module and posts only codes to
// POST /v1/works (authenticated by the session and its CSRF header).
// Without WebAssembly it posts each file to POST /v1/works/upload; without
// JavaScript the form below posts the files here. On both upload paths the
// registry hashes the file as `askfirst id` does and discards it.

type registerData struct {
	MaxUploadMiB int
	MaxFiles     int
}

// maxUploadFiles caps the files of one no-JavaScript upload.
const maxUploadFiles = 100

func (s *Server) registerPage(w http.ResponseWriter, r *http.Request, ws *registry.WebSession) {
	s.render(w, r, http.StatusOK, "register", "Register your works", registerData{MaxUploadMiB: api.MaxUploadBody >> 20, MaxFiles: maxUploadFiles})
}

// upload registers the files of a multipart form, hashing each as it
// streams in (identify.Reader spools it to a temporary file that it
// removes); nothing of a file is kept but its codes. The form's first
// field must be the CSRF token, so no file is read before it is checked.
func (s *Server) upload(w http.ResponseWriter, r *http.Request, ws *registry.WebSession) {
	if err := s.sameOrigin(r); err != nil {
		s.csrfFailed(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, api.MaxUploadBody)
	mr, err := r.MultipartReader()
	if err != nil {
		s.fail(w, r, fmt.Errorf("%w: want a multipart form: %v", registry.ErrInvalid, err))
		return
	}
	part, err := mr.NextPart()
	if err != nil || part.FormName() != csrfField {
		s.csrfFailed(w, r, errCSRF)
		return
	}
	tok, _ := io.ReadAll(io.LimitReader(part, 256))
	if err := checkCSRFValue(ws, string(tok)); err != nil {
		s.csrfFailed(w, r, err)
		return
	}
	var works []registry.WorkInput
	var failed []string
	creator, titles := "", false
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			s.fail(w, r, uploadError(err))
			return
		}
		switch part.FormName() {
		case "creator":
			b, _ := io.ReadAll(io.LimitReader(part, registry.MaxNameLen+1))
			creator = strings.TrimSpace(string(b))
		case "titles":
			titles = true
		case "files":
			if part.FileName() == "" {
				continue
			}
			if len(works)+len(failed) == maxUploadFiles {
				s.fail(w, r, fmt.Errorf("%w: more than %d files in one upload; send them in several", registry.ErrInvalid, maxUploadFiles))
				return
			}
			wk, err := s.identifyPart(r, part)
			if err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					s.fail(w, r, uploadError(err))
					return
				}
				failed = append(failed, userMessage(err))
				continue
			}
			wk.Creator = creator
			if titles {
				wk.Title = identify.NameFromPath(part.FileName())
			}
			works = append(works, wk)
		}
		part.Close()
	}
	if len(works) == 0 {
		msg := "No file was sent."
		if len(failed) > 0 {
			msg = "No file could be registered: " + strings.Join(failed, "; ")
		}
		s.render(w, r, http.StatusBadRequest, "error", "Nothing registered", errorData{Status: 400, Message: msg})
		return
	}
	rs, err := s.reg.RegisterWorks(r.Context(), ws.Principal, "", works, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var entries []int64
	for _, x := range rs {
		entries = append(entries, x.Receipt.Index)
	}
	http.Redirect(w, r, doneURL("uploaded", fmt.Sprintf("/declare?from=%d", rs[0].Receipt.Index), entries...), http.StatusSeeOther)
}

// identifyPart computes the codes of one uploaded file, at most two at a
// time on the server.
func (s *Server) identifyPart(r *http.Request, part *multipart.Part) (registry.WorkInput, error) {
	select {
	case s.uploadSem <- struct{}{}:
	case <-r.Context().Done():
		return registry.WorkInput{}, r.Context().Err()
	}
	defer func() { <-s.uploadSem }()
	res, err := identify.Reader(r.Context(), part.FileName(), part, s.idopts)
	if res == nil {
		return registry.WorkInput{}, err
	}
	return registry.WorkFromIdentity(res), nil
}

func uploadError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return fmt.Errorf("%w: reading the upload: %v", registry.ErrInvalid, err)
}
