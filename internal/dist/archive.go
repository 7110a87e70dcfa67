package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"io"
	"os"
	"path"
	"time"
)

// member is one file of an archive.
type member struct {
	Name string // path inside the archive
	Mode os.FileMode
	Data []byte
}

// Archives are reproducible: members in the order given, one fixed time
// (the commit's), no owner names, and no gzip name or time, so two builds of
// one commit give the same bytes.

func writeTarGz(w io.Writer, dir string, members []member, mtime time.Time) error {
	gz, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(gz)
	if err := tw.WriteHeader(&tar.Header{
		Typeflag: tar.TypeDir, Name: dir + "/", Mode: 0o755, ModTime: mtime, Format: tar.FormatPAX,
	}); err != nil {
		return err
	}
	for _, m := range members {
		hdr := &tar.Header{
			Typeflag: tar.TypeReg, Name: path.Join(dir, m.Name), Mode: int64(m.Mode.Perm()),
			Size: int64(len(m.Data)), ModTime: mtime, Format: tar.FormatPAX,
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := tw.Write(m.Data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

func writeZip(w io.Writer, dir string, members []member, mtime time.Time) error {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestCompression)
	})
	for _, m := range members {
		hdr := &zip.FileHeader{Name: path.Join(dir, m.Name), Method: zip.Deflate, Modified: mtime}
		hdr.SetMode(m.Mode)
		f, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		if _, err := io.Copy(f, bytes.NewReader(m.Data)); err != nil {
			return err
		}
	}
	return zw.Close()
}
