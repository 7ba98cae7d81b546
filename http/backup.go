package kexihttp

import (
	"context"

	"github.com/kexi/kexi"
)

// backupRecorder is a store that remembers its last verified backup (the embedded one).
type backupRecorder interface {
	LastBackup(ctx context.Context) (*kexi.BackupRecord, error)
}

// lastBackup returns the store's last verified backup, or nil when there is none or the store
// does not keep backups. A failure to read it is logged, not shown.
func (s *Server) lastBackup(ctx context.Context) *kexi.BackupRecord {
	br, ok := s.st.(backupRecorder)
	if !ok {
		return nil
	}
	b, err := br.LastBackup(ctx)
	if err != nil {
		s.log.Error("last backup", "err", err)
		return nil
	}
	return b
}

func init() {
	for k, v := range map[string]T{
		"Last verified backup": {En: "Last verified backup", Zh: "最近一次已验证的备份"},
		"backup_none": {En: "No verified backup yet. Run kexi backup --out FILE, or kexi serve --backup-dir DIR for scheduled backups.",
			Zh: "还没有已验证的备份。请运行 kexi backup --out 文件，或用 kexi serve --backup-dir 目录 定时备份。"},
		"backup_made":     {En: "Made", Zh: "备份时间"},
		"backup_verified": {En: "Verified by restoring it", Zh: "还原验证时间"},
		"backup_file":     {En: "File", Zh: "文件"},
		"backup_size":     {En: "Size (bytes)", Zh: "大小（字节）"},
		"backup_key":      {En: "Includes the encryption key", Zh: "包含加密密钥"},
		"Yes":             {En: "Yes", Zh: "是"},
		"No":              {En: "No", Zh: "否"},
	} {
		if _, ok := catalog[k]; !ok {
			catalog[k] = v
		}
	}
}
