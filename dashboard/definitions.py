"""How each figure is computed, in the words the pages' help texts and the documents use.
README.md's "Số liệu được tính thế nào" says the same."""
from __future__ import annotations

from etl.vocab import NO_REPORT, NOT_ASSIGNED, Status

DEFINITIONS = {
    "completion": ("Tỷ lệ hoàn thành của một phạm vi (chi bộ, nhiệm vụ trọng tâm, toàn Đảng bộ) "
                   "trong một kỳ = trung bình tỷ lệ hoàn thành của các nhiệm vụ đã báo cáo "
                   "trong các báo cáo hiện hành của phạm vi đó. Chi bộ chưa gửi báo cáo "
                   f"được ghi \"{NO_REPORT}\", không tính là 0%. Chi bộ không được giao nhiệm "
                   f"vụ nào trong phạm vi đã chọn được ghi \"{NOT_ASSIGNED}\" (hoặc không "
                   "vẽ), không phải chưa báo cáo."),
    "rollup": ("Gộp tháng thành quý, 6 tháng, năm: tỷ lệ hoàn thành và trạng thái là số liệu "
               "cuối kỳ, lấy theo báo cáo mới nhất trong kỳ của từng chi bộ, nhiệm vụ (nên "
               "tỷ lệ của một quý bằng tỷ lệ theo báo cáo tháng cuối cùng trong quý của các "
               "chi bộ, không phải trung bình các tháng); số hoạt động, lượt người tham gia, "
               "tin bài được cộng dồn các báo cáo trong kỳ (báo cáo tháng nằm trong một báo "
               "cáo quý của cùng chi bộ không bị cộng hai lần)."),
    "change": ("Thay đổi so với kỳ trước = tỷ lệ hoàn thành kỳ này trừ tỷ lệ kỳ trước, tính "
               "bằng điểm phần trăm, chỉ trên các chi bộ có số liệu ở cả hai kỳ (so sánh cùng "
               "một nhóm chi bộ). Khi hai kỳ khác nhau về chi bộ (một chi bộ chưa báo cáo, "
               "hoặc báo cáo bị rút), dưới các ô số liệu ghi rõ chi bộ nào chỉ có số liệu một "
               "kỳ."),
    "task_pairs": ("Nhiệm vụ được đếm theo lượt: một lượt là một nhiệm vụ giao cho một chi "
                   "bộ (chi bộ × nhiệm vụ). Một nhiệm vụ của Kế hoạch giao cho nhiều chi bộ "
                   "được đếm nhiều lượt, nên số lượt được giao lớn hơn số nhiệm vụ của Kế "
                   "hoạch. Hoàn thành, chậm tiến độ: trạng thái trong báo cáo mới nhất của kỳ."),
    "cells_reported": ("Chi bộ đã báo cáo = số chi bộ đã gửi báo cáo trong kỳ / số chi bộ được "
                       "giao nhiệm vụ trong phạm vi đã chọn. Chi bộ không được giao nhiệm vụ "
                       f"nào trong phạm vi là \"{NOT_ASSIGNED}\": không tính vào cả hai số."),
    "completeness": ("Mức đầy đủ báo cáo = số nhiệm vụ được giao đã báo cáo / số nhiệm vụ "
                     "được giao."),
    "open_obstacle": ("Khó khăn chưa giải quyết: nhiệm vụ có nêu khó khăn, vướng mắc và vẫn "
                      f"\"{Status.DELAYED.label}\" trong báo cáo mới nhất của chi bộ về nhiệm vụ đó."),
    "deadline": ("Đúng hạn / trễ hạn: ngày báo cáo so với hạn nộp, mặc định ngày 5 của tháng "
                 "sau kỳ báo cáo. Báo cáo không ghi ngày báo cáo thì dùng ngày nạp, và ghi rõ "
                 "\"(ngày nạp)\"."),
    "status_counts": ("Số lượt nhiệm vụ (chi bộ × nhiệm vụ được giao) theo trạng thái trong báo "
                      "cáo mới nhất của kỳ; nhiệm vụ được giao mà chưa có báo cáo là "
                      f"\"{NO_REPORT}\"."),
}
HELP_COMPLETION = DEFINITIONS["completion"] + "\n\n" + DEFINITIONS["rollup"]
