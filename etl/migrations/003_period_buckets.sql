-- The roll-up rule, once: the key of the period of `grain` ('month', 'quarter', 'half',
-- 'year') that wholly contains a submission's period; NULL when the submission's period
-- straddles two (a quarter report has no month; a report for Dec-Jan has no year).
-- Every query that rolls reports up to a grain calls this macro.
CREATE MACRO period_bucket(grain, period_grain, period_start, period_end) AS
    CASE grain
        WHEN 'month' THEN
            CASE WHEN period_grain = 'month' THEN strftime(period_start, '%Y-%m') END
        WHEN 'quarter' THEN
            CASE WHEN year(period_start) = year(period_end)
                  AND quarter(period_start) = quarter(period_end)
                 THEN CAST(year(period_start) AS VARCHAR) || '-Q'
                      || CAST(quarter(period_start) AS VARCHAR) END
        WHEN 'half' THEN
            CASE WHEN year(period_start) = year(period_end)
                  AND (month(period_start) <= 6) = (month(period_end) <= 6)
                 THEN CAST(year(period_start) AS VARCHAR)
                      || CASE WHEN month(period_start) <= 6 THEN '-H1' ELSE '-H2' END END
        WHEN 'year' THEN
            CASE WHEN year(period_start) = year(period_end)
                 THEN CAST(year(period_start) AS VARCHAR) END
    END;
