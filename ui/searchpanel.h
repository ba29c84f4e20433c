#pragma once

#include <QDockWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QListView;
class QPushButton;
class SearchResults;

// Edit ▸ Find Messages (Ctrl+F): words to look for, in this room or all, and what the
// server found, newest first; activating a result asks for it to be shown in its room.
class SearchPanel : public QDockWidget
{
    Q_OBJECT

public:
    explicit SearchPanel(QWidget *parent = nullptr);

    // The results of the client the window talks through now.
    void setResults(SearchResults *results);
    // Shows the panel with the words selected, ready to type over.
    void focusSearch();

signals:
    void searchRequested(const QString &text, bool currentRoomOnly);
    void resultActivated(const QString &room, qint64 id);

protected:
    void changeEvent(QEvent *event) override;

private:
    void showState();
    void retranslate();

    SearchResults *m_results = nullptr;
    QLineEdit *m_edit;
    QCheckBox *m_thisRoomOnly;
    QListView *m_list;
    QLabel *m_state;
    QPushButton *m_more;
};
